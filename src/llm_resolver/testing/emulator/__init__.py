"""An in-process HTTP emulator of LLM provider APIs for tests, demos and benchmarks."""

from .emulator import ProviderEmulator
from .recording import RecordedRequest
from .script import Fault, Reply, ToolCallSpec

__all__ = ["Fault", "ProviderEmulator", "RecordedRequest", "Reply", "ToolCallSpec"]
