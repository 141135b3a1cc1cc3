"""The call pipeline, one module per stage, run in this order for every call:

``prepare`` (coerce, validate, hooks.before_request, content loaders, capability and context checks)
→ ``cache`` → ``budget`` (reserve) → ``attempts`` (the resilience plan run over the ``Backend`` port)
→ ``observe`` (usage, cost, meters, after/error hooks) → settle. ``run`` strings them together for
plain calls, ``streams`` for streams, ``embed`` for embeddings; ``core`` holds what the calls of one
configuration share.
"""
