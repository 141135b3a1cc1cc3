"""Reading ``batch`` input: one JSON object a line, each with an ``id`` and a ``prompt`` or ``messages``.

Every line is checked before any request is sent, so a typo in line 900 is reported up front with its
line number instead of surfacing after 899 paid calls. A bad line is skipped; the rest still runs.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from pydantic import ValidationError

from llm_resolver import ChatRequest

# The request options a line may carry beside ``messages`` (or ``prompt``): exactly the request's fields.
REQUEST_KEYS = frozenset(ChatRequest.model_fields) - {"messages"}
LINE_KEYS = frozenset({"id", "prompt", "messages"}) | REQUEST_KEYS

JobId = str | int


@dataclass(frozen=True)
class Job:
    id: JobId
    line: int
    request: ChatRequest


@dataclass(frozen=True)
class Problem:
    line: int
    message: str


def id_key(job_id: object) -> str:
    """How ids are compared (input against input, and against ids already in the output): ``7`` and
    ``"7"`` stay distinct, as they are in JSON."""
    return json.dumps(job_id)


def read_jobs(lines: Iterable[str]) -> tuple[list[Job], list[Problem]]:
    """The valid jobs in file order, and one problem per line that cannot run (blank lines are skipped)."""
    jobs: list[Job] = []
    problems: list[Problem] = []
    first_line: dict[str, int] = {}
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            job = _parse(number, text)
        except ValueError as exc:
            problems.append(Problem(number, str(exc)))
            continue
        key = id_key(job.id)
        if key in first_line:
            problems.append(Problem(number, f"duplicate id {job.id!r} (first on line {first_line[key]})"))
            continue
        first_line[key] = number
        jobs.append(job)
    return jobs, problems


def _parse(number: int, text: str) -> Job:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(data, dict):
        raise ValueError(f"expected a JSON object, got {type(data).__name__}")
    unknown = sorted(set(data) - LINE_KEYS)
    if unknown:
        raise ValueError(
            f"unknown key(s) {', '.join(unknown)}; a line takes id, prompt or messages, and "
            f"{', '.join(sorted(REQUEST_KEYS))}"
        )
    job_id = data.pop("id", None)
    if isinstance(job_id, bool) or not isinstance(job_id, str | int) or job_id == "":
        raise ValueError('needs an "id": a non-empty string or an integer')
    prompt = data.pop("prompt", None)
    if (prompt is None) == ("messages" not in data):
        raise ValueError('needs exactly one of "prompt" (a string) or "messages" (a chat request)')
    if prompt is not None:
        if not isinstance(prompt, str) or not prompt.strip():
            raise ValueError('"prompt" must be a non-empty string')
        data["messages"] = [{"role": "user", "content": prompt}]
    try:
        request = ChatRequest.model_validate(data)
    except ValidationError as exc:
        raise ValueError(f"invalid request: {_first_error(exc)}") from None
    if not request.messages:
        raise ValueError('"messages" is empty; give at least one message')
    return Job(job_id, number, request)


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error["loc"]).lstrip(".")
    return f"{where}: {error['msg']}" if where else str(error["msg"])


def describe(problem: Problem, path: str) -> str:
    return f"{path}:{problem.line}: skipped: {problem.message}"


__all__ = ["Job", "JobId", "Problem", "describe", "id_key", "read_jobs"]
