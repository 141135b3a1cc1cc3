"""The Redis cache backend: entries under one key prefix, expiry by Redis itself (``PX``).

Eviction beyond expiry is Redis's own ``maxmemory-policy`` (``allkeys-lru`` suits a cache). Short
socket timeouts keep a slow or dead server from stalling calls: a failure is a cache miss, and
llm-resolver then leaves the backend alone for a while.
"""

from __future__ import annotations


class RedisCache:
    blocking = True

    def __init__(
        self,
        url: str = "redis://127.0.0.1:6379/0",
        password: str | None = None,
        prefix: str = "llm-resolver:cache:",
        timeout: float = 0.5,
    ) -> None:
        import redis  # here: registering the backend (every time plugins load) is not using it

        if timeout <= 0:
            raise ValueError("timeout must be a positive number of seconds")
        self.prefix = prefix
        self._client = redis.Redis.from_url(
            url, password=password, socket_timeout=timeout, socket_connect_timeout=timeout
        )

    def __repr__(self) -> str:
        kwargs = self._client.connection_pool.connection_kwargs
        return f"RedisCache({kwargs.get('host')}:{kwargs.get('port')}/{kwargs.get('db')}, prefix={self.prefix!r})"

    def get(self, key: str) -> bytes | None:
        value = self._client.get(self.prefix + key)
        if value is None:
            return None
        return value.encode("utf-8") if isinstance(value, str) else bytes(value)

    def set(self, key: str, value: bytes, ttl: float | None) -> None:
        px = None if ttl is None else max(1, round(ttl * 1000))
        self._client.set(self.prefix + key, value, px=px)

    def close(self) -> None:
        self._client.close()
