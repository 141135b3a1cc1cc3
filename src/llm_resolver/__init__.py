"""llm-resolver."""
