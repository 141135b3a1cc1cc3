"""The call pipeline, one module per stage, run in this order for every call:

``prepare`` (coerce, validate, hooks.before_request, content loaders, capability and context checks)
→ ``cache`` → ``budget`` (reserve) → ``attempts`` (the resilience plan run over the ``Backend`` port)
→ ``observe`` (usage, cost, meters, after/error hooks) → settle. ``run`` strings them together for
plain calls, ``streams`` for streams, ``embed`` for embeddings; ``core`` holds what the calls of one
configuration share.
"""


def import_call_path() -> None:
    """The modules a first call imports, imported ahead of it (on LiteLLM's import thread): resolving
    builds an ``LLMCore`` and its façade, and imports none of them."""
    import llm_resolver.backend.litellm_backend
    import llm_resolver.pipeline.embed
    import llm_resolver.pipeline.run
    import llm_resolver.pipeline.streams  # noqa: F401
