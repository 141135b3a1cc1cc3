"""Everyday tools for llm-resolver, each namespace its own plugin: ``calc``, ``clock``, ``files``."""
