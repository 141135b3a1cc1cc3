"""llm-resolver: declare an LLM in a spec; get a configured, resilient, metered LLM injected.

Importing this package does not import LiteLLM; that happens on the first call.
"""

# First: LiteLLM's offline defaults must be in the environment before anything imports LiteLLM.
from llm_resolver.backend import loader as _loader  # noqa: F401
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
