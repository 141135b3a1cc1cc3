"""What hooks and meters learn about the call they are looking at."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from llm_resolver.types.scope import Scope


@dataclass
class CallContext:
    scope: Scope
    model: str
    operation: str
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    attempt_model: str | None = None
    attempt_number: int = 0
    metadata: dict[str, Any] = field(default_factory=dict)
