"""The LLM layer: the built-in implementation of the protocol on LiteLLM."""
