"""Embeddings: what ``embed`` accepts, its chain of models, and batching; the call itself runs in
the pipeline (``pipeline.embed``)."""
