"""One shared core per configuration and org, however many resolver instances Rustic builds.

Rustic builds a resolver per agent per dependency key, so without this a guild-scoped LLM would be
one per agent, each with its own meter and budget. Resolvers built from the same settings (the same
spec) in the same org share one ``Pool``: one core, one meter, one budget per scope, one cache. Orgs
never share a pool (a response cache must not cross tenants). A pool lives while an LLM it handed out
is in use; budgets that must outlive that (or the process) belong in the cost ledger meter.
"""

from __future__ import annotations

import hashlib
import threading
import weakref
from collections import OrderedDict

from llm_resolver import DependencyResolver, LiteLLM, LiteLLMConfig, LiteLLMResolver, Scope
from llm_resolver.llm.core import LLMCore
from llm_resolver.plugins.default import default_plugin_manager
from llm_resolver_rustic.llm import RusticLLM

# Models a call may name besides the configured one (Rustic's ``completion(prompt, model=...)``).
MAX_OTHER_MODELS = 16


class Pool(DependencyResolver[RusticLLM]):
    """The LLMs of one configuration in one org, one per scope (memoised, bounded)."""

    def __init__(self, config: LiteLLMConfig, stream_completions: bool) -> None:
        self.stream_completions = stream_completions
        self._plugins = default_plugin_manager()
        self._resolver = LiteLLMResolver.from_config(config, self._plugins)
        self._others: OrderedDict[str, LLMCore] = OrderedDict()
        self._others_lock = threading.Lock()

    def resolve(self, scope: Scope) -> RusticLLM:
        return RusticLLM(self, self._resolver.get_or_resolve(scope))

    def with_model(self, model: str, scope: Scope) -> LiteLLM:
        """An LLM for ``scope`` with ``model`` first, sharing this pool's meters, budgets and cache."""
        with self._others_lock:
            core = self._others.get(model)
            if core is None:
                config = self._resolver.config.model_copy(update={"model": model})
                core = LiteLLM(config, plugins=self._plugins, services=self._resolver.services).core
                self._others[model] = core
                while len(self._others) > MAX_OTHER_MODELS:
                    self._others.popitem(last=False)
            self._others.move_to_end(model)
        return LiteLLM.over(core, scope)


_pools: weakref.WeakValueDictionary[tuple[str, str], Pool] = weakref.WeakValueDictionary()
_lock = threading.Lock()


def fingerprint(config: LiteLLMConfig, stream_completions: bool) -> str:
    """Equal for equal settings, secrets included (hashed here, never kept)."""
    digest = hashlib.sha256(config.model_dump_json(fallback=repr).encode())
    for secret in config.secret_values():
        digest.update(b"\0" + secret.encode())
    digest.update(b"stream" if stream_completions else b"")
    return digest.hexdigest()


def pool_for(key: str, org: str, config: LiteLLMConfig, stream_completions: bool) -> Pool:
    with _lock:
        pool = _pools.get((key, org))
        if pool is None:
            pool = Pool(config, stream_completions)
            _pools[(key, org)] = pool
        return pool
