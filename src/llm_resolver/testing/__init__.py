"""Test helpers for code built on llm-resolver."""

from .emulator import Fault, ProviderEmulator, RecordedRequest, Reply, ToolCallSpec

__all__ = ["Fault", "ProviderEmulator", "RecordedRequest", "Reply", "ToolCallSpec"]
