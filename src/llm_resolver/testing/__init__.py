"""Test helpers for code built on llm-resolver: a provider emulator on loopback, an in-process fake
LLM, and an in-process backend that runs the real pipeline without HTTP."""

from .emulator import Fault, ProviderEmulator, RecordedRequest, Reply, ToolCallSpec
from .fake_llm import FakeAsyncStream, FakeLLM, FakeStream
from .scripted import ScriptedBackend, Sent
from .scripted_streams import Cut, Fail

__all__ = [
    "Cut",
    "Fail",
    "FakeAsyncStream",
    "FakeLLM",
    "FakeStream",
    "Fault",
    "ProviderEmulator",
    "RecordedRequest",
    "Reply",
    "ScriptedBackend",
    "Sent",
    "ToolCallSpec",
]
