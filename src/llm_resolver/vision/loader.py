"""The content-loader contract plugins implement through ``register_content_loaders``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol, runtime_checkable

if TYPE_CHECKING:
    from llm_resolver.types.messages import ContentPart
    from llm_resolver.vision.images import ImageLimits

Detail = Literal["auto", "low", "high"]


@dataclass(frozen=True)
class LoadContext:
    """What a loader needs to know about where its parts go: the strictest limits of every model the
    request may reach (the fallback chain included) and the detail the caller asked for."""

    limits: ImageLimits
    detail: Detail = "auto"
    models: tuple[str, ...] = ()

    @property
    def max_side(self) -> int:
        """The longest side worth sending: the providers' limit, or OpenAI's low-detail size."""
        from llm_resolver.vision.images import LOW_DETAIL_SIDE  # loaders are registered without it

        return min(self.limits.max_side, LOW_DETAIL_SIDE) if self.detail == "low" else self.limits.max_side


@runtime_checkable
class ContentLoader(Protocol):
    """Turns one kind of source (a PIL image, an array, a PDF…) into content parts.

    ``accepts`` must be cheap and must not raise: it is asked about every source nobody else took.
    ``load`` returns ``TextPart``/``ImagePart`` objects; images must respect ``context.limits`` (the
    LLM checks them and refuses the request otherwise). It runs just before the request, in the
    calling thread, and only for sources the caller put in a message.
    """

    name: str

    def accepts(self, source: object) -> bool: ...

    def load(self, source: object, context: LoadContext) -> Sequence[ContentPart]: ...
