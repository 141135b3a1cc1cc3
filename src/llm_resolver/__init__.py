"""llm-resolver: declare an LLM in a spec; get a configured, resilient, metered LLM injected.

Importing this package does not import LiteLLM (that happens on the first call), nor pydantic, nor any
of its own modules: each public name is imported on first access, so a command line, a plugin or a host
that needs one name does not pay for all of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

# First: LiteLLM's offline defaults must be in the environment before anything imports LiteLLM.
from llm_resolver.backend import loader as _loader  # noqa: F401
from llm_resolver.lazy import lazy_exports

if TYPE_CHECKING:
    from llm_resolver.cache import CacheBackend
    from llm_resolver.catalog.listing import ModelListing, alist_models, list_models
    from llm_resolver.config.models import FallbackModel, LiteLLMConfig, ModelInfoConfig, RetryConfig
    from llm_resolver.errors import (
        LLMAuthenticationError,
        LLMBadRequestError,
        LLMBudgetExceededError,
        LLMCapabilityError,
        LLMConnectionError,
        LLMContentPolicyError,
        LLMContextWindowError,
        LLMError,
        LLMFallbacksExhaustedError,
        LLMRateLimitError,
        LLMResponseError,
        LLMServiceError,
        LLMTimeoutError,
        PluginError,
        SpecError,
    )
    from llm_resolver.host.dependencies import Dependencies
    from llm_resolver.host.depends import depends_on
    from llm_resolver.lifecycle import aclose_clients
    from llm_resolver.llm.litellm_llm import LiteLLM
    from llm_resolver.metering import BudgetMeter, CostMeter, InMemoryMeter, Reservation, UsageEvent
    from llm_resolver.plugins.manager import PluginManager
    from llm_resolver.plugins.markers import hookimpl
    from llm_resolver.protocol import LLM, AsyncChatStream, ChatStream
    from llm_resolver.resolution.litellm_resolver import LiteLLMResolver
    from llm_resolver.resolution.resolver import DependencyResolver
    from llm_resolver.resolution.spec import DependencySpec
    from llm_resolver.tool_loop import arun_tools, run_tools
    from llm_resolver.tools import (
        LLMToolLoopError,
        ToolArgumentsError,
        ToolCallRecord,
        ToolLoopResult,
        ToolStep,
        tool,
    )
    from llm_resolver.types.context import CallContext
    from llm_resolver.types.messages import DeferredPart, ImagePart, Message, Role, TextPart, ToolCall
    from llm_resolver.types.request import ChatRequest
    from llm_resolver.types.responses import (
        Attempt,
        ChatChunk,
        ChatResponse,
        EmbeddingResponse,
        ModelInfo,
        ToolCallDelta,
        Usage,
    )
    from llm_resolver.types.scope import Scope
    from llm_resolver.types.tool import Tool
    from llm_resolver.vision import ContentLoader, ImageLimits, LoadContext, VisionConfig

__version__ = "0.1.0"

# Each public name and the module (under llm_resolver) that defines it, imported on first access.
__getattr__ = lazy_exports(
    __name__,
    {
        "AsyncChatStream": "protocol",
        "Attempt": "types.responses",
        "BudgetMeter": "metering",
        "CacheBackend": "cache",
        "CallContext": "types.context",
        "ChatChunk": "types.responses",
        "ChatRequest": "types.request",
        "ChatResponse": "types.responses",
        "ChatStream": "protocol",
        "ContentLoader": "vision",
        "CostMeter": "metering",
        "DeferredPart": "types.messages",
        "Dependencies": "host.dependencies",
        "DependencyResolver": "resolution.resolver",
        "DependencySpec": "resolution.spec",
        "EmbeddingResponse": "types.responses",
        "FallbackModel": "config.models",
        "ImageLimits": "vision",
        "ImagePart": "types.messages",
        "InMemoryMeter": "metering",
        "LLM": "protocol",
        "LLMAuthenticationError": "errors",
        "LLMBadRequestError": "errors",
        "LLMBudgetExceededError": "errors",
        "LLMCapabilityError": "errors",
        "LLMConnectionError": "errors",
        "LLMContentPolicyError": "errors",
        "LLMContextWindowError": "errors",
        "LLMError": "errors",
        "LLMFallbacksExhaustedError": "errors",
        "LLMRateLimitError": "errors",
        "LLMResponseError": "errors",
        "LLMServiceError": "errors",
        "LLMTimeoutError": "errors",
        "LLMToolLoopError": "tools",
        "LiteLLM": "llm.litellm_llm",
        "LiteLLMConfig": "config.models",
        "LiteLLMResolver": "resolution.litellm_resolver",
        "LoadContext": "vision",
        "Message": "types.messages",
        "ModelInfo": "types.responses",
        "ModelInfoConfig": "config.models",
        "ModelListing": "catalog.listing",
        "PluginError": "errors",
        "PluginManager": "plugins.manager",
        "Reservation": "metering",
        "RetryConfig": "config.models",
        "Role": "types.messages",
        "Scope": "types.scope",
        "SpecError": "errors",
        "TextPart": "types.messages",
        "Tool": "types.tool",
        "ToolArgumentsError": "tools",
        "ToolCall": "types.messages",
        "ToolCallDelta": "types.responses",
        "ToolCallRecord": "tools",
        "ToolLoopResult": "tools",
        "ToolStep": "tools",
        "Usage": "types.responses",
        "UsageEvent": "metering",
        "VisionConfig": "vision",
        "aclose_clients": "lifecycle",
        "alist_models": "catalog.listing",
        "arun_tools": "tool_loop",
        "depends_on": "host.depends",
        "hookimpl": "plugins.markers",
        "list_models": "catalog.listing",
        "run_tools": "tool_loop",
        "tool": "tools",
    },
)


__all__ = [
    "LLM",
    "AsyncChatStream",
    "Attempt",
    "BudgetMeter",
    "CacheBackend",
    "CallContext",
    "ChatChunk",
    "ChatRequest",
    "ChatResponse",
    "ChatStream",
    "ContentLoader",
    "CostMeter",
    "DeferredPart",
    "Dependencies",
    "DependencyResolver",
    "DependencySpec",
    "EmbeddingResponse",
    "FallbackModel",
    "ImageLimits",
    "ImagePart",
    "InMemoryMeter",
    "LLMAuthenticationError",
    "LLMBadRequestError",
    "LLMBudgetExceededError",
    "LLMCapabilityError",
    "LLMConnectionError",
    "LLMContentPolicyError",
    "LLMContextWindowError",
    "LLMError",
    "LLMFallbacksExhaustedError",
    "LLMRateLimitError",
    "LLMResponseError",
    "LLMServiceError",
    "LLMTimeoutError",
    "LLMToolLoopError",
    "LiteLLM",
    "LiteLLMConfig",
    "LiteLLMResolver",
    "LoadContext",
    "Message",
    "ModelInfo",
    "ModelInfoConfig",
    "ModelListing",
    "PluginError",
    "PluginManager",
    "Reservation",
    "RetryConfig",
    "Role",
    "Scope",
    "SpecError",
    "TextPart",
    "Tool",
    "ToolArgumentsError",
    "ToolCall",
    "ToolCallDelta",
    "ToolCallRecord",
    "ToolLoopResult",
    "ToolStep",
    "Usage",
    "UsageEvent",
    "VisionConfig",
    "__version__",
    "aclose_clients",
    "alist_models",
    "arun_tools",
    "depends_on",
    "hookimpl",
    "list_models",
    "run_tools",
    "tool",
]
