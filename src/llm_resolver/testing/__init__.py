"""Test helpers for code built on llm-resolver: a provider emulator on loopback, and an in-process fake."""

from .emulator import Fault, ProviderEmulator, RecordedRequest, Reply, ToolCallSpec
from .fake_llm import FakeAsyncStream, FakeLLM, FakeStream

__all__ = [
    "FakeAsyncStream",
    "FakeLLM",
    "FakeStream",
    "Fault",
    "ProviderEmulator",
    "RecordedRequest",
    "Reply",
    "ToolCallSpec",
]
