"""llm-resolver: declare an LLM in a spec; get a configured, resilient, metered LLM injected.

Importing this package does not import LiteLLM; that happens on the first call.
"""

from llm_resolver.config.models import FallbackModel, LiteLLMConfig, RetryConfig
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
from llm_resolver.llm.litellm_llm import LiteLLM
from llm_resolver.plugins.manager import PluginManager
from llm_resolver.plugins.markers import hookimpl
from llm_resolver.protocol import LLM, AsyncChatStream, ChatStream
from llm_resolver.resolution.litellm_resolver import LiteLLMResolver
from llm_resolver.resolution.resolver import DependencyResolver
from llm_resolver.resolution.scope import Scope
from llm_resolver.resolution.spec import DependencySpec
from llm_resolver.types.context import CallContext
from llm_resolver.types.messages import ImagePart, Message, Role, TextPart, ToolCall
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
from llm_resolver.types.tool import Tool

__version__ = "0.1.0"

__all__ = [
    "LLM",
    "AsyncChatStream",
    "Attempt",
    "CallContext",
    "ChatChunk",
    "ChatRequest",
    "ChatResponse",
    "ChatStream",
    "Dependencies",
    "DependencyResolver",
    "DependencySpec",
    "EmbeddingResponse",
    "FallbackModel",
    "ImagePart",
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
    "LiteLLM",
    "LiteLLMConfig",
    "LiteLLMResolver",
    "Message",
    "ModelInfo",
    "PluginError",
    "PluginManager",
    "RetryConfig",
    "Role",
    "Scope",
    "SpecError",
    "TextPart",
    "Tool",
    "ToolCall",
    "ToolCallDelta",
    "Usage",
    "__version__",
    "depends_on",
    "hookimpl",
]
