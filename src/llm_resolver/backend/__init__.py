"""The backend layer: everything that touches LiteLLM lives here and only here."""
