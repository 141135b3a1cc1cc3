"""The options every command that talks to an LLM takes (--model, --spec, --name, --api-base, --system,
--scope), and the LLM they resolve to."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from llm_resolver.types.scope import Scope

if TYPE_CHECKING:  # the rest is imported when a command runs, so --help stays cheap
    from llm_resolver import LLM, DependencySpec, PluginManager


def add_llm_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", help="e.g. openai/gpt-4o-mini (overrides the spec's model)")
    parser.add_argument("--spec", metavar="FILE", help="YAML/JSON: a DependencySpec or a name -> spec map")
    parser.add_argument(
        "--name", default="llm", help="which dependency of a --spec map to use (default: llm)"
    )
    parser.add_argument("--api-base", help="provider endpoint URL (overrides the spec's api_base)")
    parser.add_argument("--system", metavar="TEXT", help="a system message sent before the prompt")
    parser.add_argument(
        "--scope",
        type=parse_scope,
        default=Scope(),
        metavar="ORG/GUILD/AGENT",
        help="who the call is made for",
    )


def spec_from_args(
    args: argparse.Namespace, *, name: str | None = None, model: str | None = None
) -> DependencySpec:
    """The spec the options name (--name of --spec, or the built-in resolver) with --model and
    --api-base over its properties. A switch (chat's ``/model``) passes another dependency ``name`` of
    the --spec map and/or a ``model``; --model then no longer applies."""
    from llm_resolver import DependencySpec
    from llm_resolver.cli.spec_file import load_spec, with_overrides

    base = load_spec(args.spec, name or args.name) if args.spec else DependencySpec(class_name="litellm")
    if name is None and model is None:
        model = args.model
    return with_overrides(base, {"model": model, "api_base": args.api_base})


def resolve_llm(spec: DependencySpec, plugins: PluginManager | None, scope: Scope) -> LLM:
    from llm_resolver import LLM, SpecError

    resolved = spec.to_resolver(plugins).get_or_resolve(scope)
    if not isinstance(resolved, LLM):
        raise SpecError(
            f"{spec.class_name} resolved to a {type(resolved).__name__}, which is not an LLM",
            field="class_name",
        )
    return resolved


def parse_scope(text: str) -> Scope:
    try:
        return Scope.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
