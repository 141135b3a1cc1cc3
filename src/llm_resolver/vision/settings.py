"""The ``vision`` setting of ``LiteLLMConfig``: which hosts remote image URLs may point at.

A remote URL in a message makes someone fetch it: the provider, or (for some providers' paths) LiteLLM
inside this process, where it can reach private networks. So none is allowed unless the config names
its host. Kept free of config imports: ``config.models`` uses this model.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from llm_resolver.errors import LLMBadRequestError

# A host as DNS or IPv4 writes it: what an allow-list entry names and what a URL's host must be.
_HOST = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*")


class VisionConfig(BaseModel):
    """``allow_remote``: hosts remote image URLs may name — ``img.example.com`` exactly,
    ``*.example.com`` for any host under it (not ``example.com`` itself), or ``*`` for any host."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    allow_remote: list[str] = Field(
        default_factory=list, description="hosts remote image URLs may name; default: none"
    )

    @field_validator("allow_remote")
    @classmethod
    def _check_hosts(cls, hosts: list[str]) -> list[str]:
        checked = []
        for entry in hosts:
            host = entry.strip().lower().rstrip(".")
            if host != "*" and not _HOST.fullmatch(host.removeprefix("*.")):
                raise ValueError(
                    f"{entry!r} is not a host entry; write a host alone (img.example.com), a suffix "
                    "pattern (*.example.com) or * for any host, without scheme, port or path"
                )
            checked.append(host)
        return checked

    def allows(self, host: str) -> bool:
        for entry in self.allow_remote:
            if entry == "*" or entry == host:
                return True
            if entry.startswith("*.") and host.endswith(entry[1:]):
                return True
        return False

    def check_remote_url(self, url: str, *, where: str) -> None:
        """Raise ``LLMBadRequestError`` naming the host and this setting unless ``url``'s host is allowed."""
        try:
            host = (urlsplit(url).hostname or "").rstrip(".")
        except ValueError:
            host = ""
        if "\\" in url or not _HOST.fullmatch(host):
            raise LLMBadRequestError(
                f"{where}: the image URL's host cannot be read as a plain host name or IPv4 address; "
                "pass the image's bytes instead"
            )
        if not self.allows(host):
            raise LLMBadRequestError(
                f"{where}: remote image URLs on host {host!r} are not allowed; add it to the resolver's "
                f"vision.allow_remote setting (e.g. vision: {{allow_remote: [{host}]}}) if you trust what "
                "it serves, or pass the image's bytes instead"
            )
