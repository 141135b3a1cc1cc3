"""Who may call, and for which scope. A key may be held to a scope (``KEY=org/guild/agent``): its
requests are metered and budgeted there, and ``X-LLM-Scope`` may only narrow it, so one tenant can
neither spend nor escape another's budget by naming a different scope. Without keys the server is for
this machine only."""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping

from llm_resolver import Scope, SpecError
from llm_resolver.addresses import is_loopback

KEYS_VAR = "LLM_RESOLVER_SERVER_KEYS"
Keys = Mapping[str, Scope | None]
_HELD = re.compile(r"^(?P<key>.+?)=(?P<scope>[^=]+)$")  # base64 padding (a trailing "=") is part of a key


class Forbidden(Exception):
    """A key asked for a scope outside the one it is held to."""


def parse_keys(text: str) -> dict[str, Scope | None]:
    """``key1,key2=acme,key3=acme/support``: comma-separated keys, each optionally held to a scope."""
    keys: dict[str, Scope | None] = {}
    for entry in (e.strip() for e in text.split(",")):
        if not entry:
            continue
        held = _HELD.match(entry)
        keys[held["key"] if held else entry] = Scope.parse(held["scope"]) if held else None
    return keys


def holder(authorization: str, keys: Keys) -> tuple[str | None, Scope | None]:
    """The key ``Authorization: Bearer <key>`` names (None: none of them), and the scope that key is
    held to. Every key is compared, in constant time, so the time taken does not tell which one matched."""
    scheme, _, token = authorization.partition(" ")
    given = token.strip().encode()
    found, scope = None, None
    for key, held in keys.items():
        if hmac.compare_digest(given, key.encode()):
            found, scope = key, held
    return (found, scope) if scheme.lower() == "bearer" else (None, None)


def scope_for(header: str, held: Scope | None) -> Scope:
    """The header's scope (missing parts: any), kept within ``held`` when the key is held to one."""
    asked = Scope.parse(header) if header else Scope()
    if held is None:
        return asked
    parts = []
    for mine, theirs in zip(
        (held.org, held.guild, held.agent), (asked.org, asked.guild, asked.agent), strict=True
    ):
        if mine != "*" and theirs not in ("*", mine):
            raise Forbidden(f"this key may only use scopes under {held}, not {asked}")
        parts.append(mine if mine != "*" else theirs)
    return Scope(*parts)


def check_bind(host: str, keys: Keys) -> None:
    """Without keys the server answers anyone who reaches it: bind only a loopback address then."""
    if not keys and not is_loopback(host):
        raise SpecError(
            f"refusing to serve on {host} without API keys; set {KEYS_VAR} "
            "(ServerSettings.api_keys in Python) or bind 127.0.0.1"
        )


class ScopeBook:
    """The distinct scopes each key (None: the caller of a server without keys) has used, at most
    ``limit`` each: every scope holds resolved LLMs, meters and budgets, so a key naming a new scope per
    request would grow the server without bound. Keys are the configured ones, so the book holds at
    most (keys + 1) x ``limit`` scopes."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._used: dict[str | None, set[Scope]] = {}

    def admit(self, key: str | None, scope: Scope) -> bool:
        """Whether ``key`` may use ``scope``: one it used before, or a new one within its limit."""
        used = self._used.setdefault(key, set())
        if scope not in used:
            if len(used) >= self.limit:
                return False
            used.add(scope)
        return True
