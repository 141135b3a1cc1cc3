"""``doctor``'s model checks: each configured model (every dependency's primary and fallbacks) with what
the catalog knows of it, and one tiny real request to each on its own, so a broken fallback shows too."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

from llm_resolver import (
    LLM,
    Attempt,
    DependencySpec,
    LiteLLM,
    LiteLLMResolver,
    LLMAuthenticationError,
    LLMConnectionError,
    LLMError,
    LLMRateLimitError,
    LLMTimeoutError,
    ModelInfo,
    PluginManager,
    Scope,
    SpecError,
)
from llm_resolver.backend.targets import targets_for
from llm_resolver.cli.doctor_env import Problem
from llm_resolver.cli.spec_file import load_specs
from llm_resolver.config.providers import PROVIDER_KEY_VARS

PROBE_PROMPT = "Reply with the single word OK."
PROBE_MAX_TOKENS = 5
PROBE_TIMEOUT_S = 20.0


@dataclass(frozen=True)
class ModelCheck:
    dependency: str
    role: str  # "primary" or "fallback N"
    info: ModelInfo
    api_base: str | None
    llm: LLM | LiteLLM  # LiteLLM is an LLM at run time; its read-only `model` keeps mypy from seeing it


@dataclass(frozen=True)
class ProbeResult:
    check: ModelCheck
    latency_s: float
    cost_usd: float | None = None
    error: LLMError | None = None


def configured_specs(spec_path: str | None) -> tuple[dict[str, DependencySpec], list[Problem]]:
    """The dependencies of ``--spec``; without one, the model the environment configures (LLM_MODEL)."""
    if spec_path is not None:
        try:
            return load_specs(spec_path), []
        except SpecError as error:  # the rest of the report still helps
            return {}, [Problem(_one_line(error), _spec_fix(error))]
    if os.environ.get("LLM_MODEL"):
        return {"llm (environment)": DependencySpec(class_name="litellm")}, []
    return {}, [
        Problem(
            "no model is configured",
            "pass --spec FILE, or set LLM_MODEL (e.g. LLM_MODEL=openai/gpt-4o-mini)",
        )
    ]


def model_checks(
    specs: dict[str, DependencySpec], plugins: PluginManager
) -> tuple[list[ModelCheck], list[Problem]]:
    """One check per model of each dependency; a dependency that does not resolve is one problem."""
    checks: list[ModelCheck] = []
    problems: list[Problem] = []
    for name, spec in specs.items():
        try:
            resolver = spec.to_resolver(plugins)
            llm = resolver.get_or_resolve(Scope())
        except LLMError as error:
            problems.append(Problem(f"{name}: {_one_line(error)}", _spec_fix(error)))
            continue
        if not isinstance(llm, LLM):
            problems.append(
                Problem(
                    f"{name}: {spec.class_name} resolves to a {type(llm).__name__}, not an LLM",
                    "point class_name at a resolver of LLMs (e.g. litellm)",
                )
            )
        elif isinstance(resolver, LiteLLMResolver) and isinstance(llm, LiteLLM):
            checks += _each_target(name, resolver, plugins)
        else:
            checks.append(ModelCheck(name, "primary", llm.info(), None, llm))
    return checks, problems


def _each_target(name: str, resolver: LiteLLMResolver, plugins: PluginManager) -> list[ModelCheck]:
    """An LLM per target (primary, then each fallback) with nothing else in its chain: no fallbacks,
    retries or cache, so each request reaches exactly that model."""
    config = resolver.config
    checks: list[ModelCheck] = []
    for index, target in enumerate(targets_for(config)):
        single = config.model_copy(
            update={
                "model": target.model,
                "api_key": target.api_key,
                "api_base": target.api_base,
                "api_version": target.api_version,
                "organization": target.organization,
                "extra_headers": target.extra_headers,
                "input_cost_per_token": target.input_cost_per_token,
                "output_cost_per_token": target.output_cost_per_token,
                "fallback_models": [],
                "max_retries": 0,
                "timeout": min(target.timeout, PROBE_TIMEOUT_S),
                "deadline": None,
                "cache": None,
            }
        )
        llm = LiteLLMResolver.from_config(single, plugins).get_or_resolve(Scope())
        role = "primary" if index == 0 else f"fallback {index}"
        checks.append(ModelCheck(name, role, llm.info(), target.api_base, llm))
    return checks


def probe(check: ModelCheck) -> ProbeResult:
    """One tiny real request; the error, if any, is kept for its one-line fix. The latency is the
    request's own (its attempts'), not the wait for LiteLLM's import that the first call may include."""
    started = time.perf_counter()
    try:
        response = check.llm.complete(PROBE_PROMPT, max_tokens=PROBE_MAX_TOKENS)
    except LLMError as error:
        return ProbeResult(check, _latency(error.attempts, started), error=error)
    return ProbeResult(check, _latency(response.attempts, started), cost_usd=response.cost_usd)


def _latency(attempts: list[Attempt], started: float) -> float:
    return sum(a.latency_s for a in attempts) if attempts else time.perf_counter() - started


def probe_problem(result: ProbeResult) -> Problem | None:
    error = result.error
    if error is None:
        return None
    check = result.check
    what = f"{check.dependency} ({check.role}) {check.info.model}: {type(error).__name__}: {_one_line(error)}"
    return Problem(what, _call_fix(error, check))


def _call_fix(error: LLMError, check: ModelCheck) -> str:
    where = check.api_base or f"{check.info.provider or 'the provider'}'s endpoint"
    if isinstance(error, LLMConnectionError | LLMTimeoutError):
        return f"nothing answered at {where}: start that server, or fix api_base (or the network)"
    if isinstance(error, LLMAuthenticationError):
        names = PROVIDER_KEY_VARS.get(check.info.provider or "", ())
        key = " or ".join(names) if names else "api_key"
        return f"the provider refused the key: set a valid {key} (or api_key in the spec)"
    if isinstance(error, LLMRateLimitError):
        return "the provider is rate limiting this key: wait, or raise the key's quota"
    if isinstance(error, SpecError):
        return _spec_fix(error)
    status = f" with HTTP {error.status_code}" if error.status_code is not None else ""
    return f"the provider answered{status}: check the model name {check.info.model!r} and its access"


def _spec_fix(error: LLMError) -> str:
    """A missing key names its variable; otherwise the advice the library's message already carries."""
    text = _one_line(error)
    for names in PROVIDER_KEY_VARS.values():
        for var in names:
            if f"set {var}" in text or f"or {var}" in text:
                return f"export {var}=<your key> (or set api_key in the spec)"
    _, _, advice = text.partition("; ")
    return (
        advice
        if len(advice.split()) > 2
        else "correct what the message names, in the spec or the environment"
    )


def _one_line(error: LLMError) -> str:
    return " ".join(str(error).split())
