"""The content loaders plugins registered, namespaced ``<plugin>.<loader name>``, in registration order."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from llm_resolver.errors import PluginError

if TYPE_CHECKING:
    from llm_resolver.plugins.manager import PluginManager
    from llm_resolver.vision.loader import ContentLoader  # its dataclasses: resolving only checks names

HOOK = "register_content_loaders"


def content_loaders(plugins: PluginManager | None) -> dict[str, ContentLoader]:
    """Every registered loader by full name; a plugin whose loader is malformed is reported and skipped."""
    if plugins is None:
        return {}
    return plugins.collect(HOOK, _make_register)


def _make_register(plugin: str, target: dict[str, Any]) -> Callable[[Any], None]:
    def register(loader: Any) -> None:
        name = getattr(loader, "name", None)
        if not isinstance(name, str) or not name:
            raise PluginError(f"a content loader needs a non-empty str `name`, got {loader!r}", plugin=plugin)
        missing = [m for m in ("accepts", "load") if not callable(getattr(loader, m, None))]
        if missing:
            raise PluginError(
                f"content loader {name!r} lacks {' and '.join(missing)}(); see ContentLoader", plugin=plugin
            )
        full = f"{plugin}.{name}"
        if full in target:
            raise PluginError(f"content loader {full!r} registered twice", plugin=plugin)
        target[full] = loader

    return register
