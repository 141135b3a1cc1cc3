"""The public face of the emulator: start/stop, scripting, and the request record."""

from __future__ import annotations

from types import TracebackType

from .openai_format import embedding_vector
from .recording import RecordedRequest
from .script import Fault, Reply
from .server import EmulatorServer
from .state import EmulatorState


class ProviderEmulator:
    """A local HTTP server speaking the OpenAI, Anthropic and Gemini wire formats, for tests.

    Point LiteLLM at ``openai_base`` / ``anthropic_base`` / ``gemini_base``; queue answers with
    :meth:`script`; inspect what arrived with :attr:`requests`. It binds a free port on 127.0.0.1
    unless given a ``host`` and ``port`` (``llm-resolver emulator`` takes them from its options).
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._state = EmulatorState()
        self._server: EmulatorServer | None = None
        self._host = host
        self._port = port

    def start(self) -> ProviderEmulator:
        if self._server is not None:
            raise RuntimeError("the emulator is already running")
        self._server = EmulatorServer(self._state, self._host, self._port)
        return self

    def stop(self) -> None:
        """Stop serving and cut open connections; safe to call twice."""
        server, self._server = self._server, None
        if server is not None:
            server.stop()

    def __enter__(self) -> ProviderEmulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the emulator is not running; call start() first")
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self._server.port}"

    @property
    def openai_base(self) -> str:
        return self.url + "/v1"

    @property
    def anthropic_base(self) -> str:
        return self.url

    @property
    def gemini_base(self) -> str:
        return self.url + "/v1beta"

    def script(self, *items: Reply | Fault, model: str | None = None) -> None:
        """Queue items (FIFO); with ``model``, only requests for that wire model name take them."""
        self._state.script.push(items, model)

    @property
    def default_reply(self) -> Reply:
        """The answer when nothing is scripted; by default an echo of the last user message."""
        return self._state.default_reply

    @default_reply.setter
    def default_reply(self, reply: Reply) -> None:
        self._state.default_reply = reply

    @property
    def models(self) -> list[str]:
        """Model ids the listing endpoints report."""
        return self._state.models

    @models.setter
    def models(self, ids: list[str]) -> None:
        self._state.models = list(ids)

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of every request received so far, in arrival order."""
        return self._state.log.snapshot()

    def request_count(self, model: str | None = None, path_contains: str | None = None) -> int:
        return sum(
            1
            for r in self._state.log.snapshot()
            if (model is None or r.model == model) and (path_contains is None or path_contains in r.path)
        )

    @property
    def open_streams(self) -> int:
        """SSE responses still being written: a stream the client closed drops out on the next write."""
        return self._state.open_streams

    @property
    def abandoned_streams(self) -> int:
        """SSE responses the client hung up on before their last event."""
        return self._state.abandoned_streams

    def reset(self) -> None:
        """Forget scripted items, recorded requests and the default reply (the server keeps running)."""
        self._state.reset()

    @staticmethod
    def embedding_for(text: str) -> list[float]:
        """The vector the embeddings endpoint returns for ``text``, for asserting order."""
        return embedding_vector(text)
