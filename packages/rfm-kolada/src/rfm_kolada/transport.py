"""One HTTP GET to Kolada that ends in time and in memory, whatever the server does.

httpx's timeout is per network operation: a server that sends one byte every two seconds never
trips a five-second timeout and can keep a request open forever. Here a request has a *total*
deadline: the download runs in a worker thread that checks the clock between chunks, and the
caller waits for it at most that long, then gives up on it (the abandoned worker ends at its next
chunk or read timeout, and its client is never used again).

The body is read in chunks and counted after decompression: more than :data:`MAX_RESPONSE_BYTES`
(a 300 MB answer, or a small gzip bomb) stops the download with an error instead of filling the
memory. :func:`json_problem` says what is wrong with a body that is not the JSON Kolada sends: an
HTML page (a proxy or captive portal), text cut off, or something else.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Mapping

import attrs
import httpx

from rfm_kolada.errors import KoladaUnavailable

MAX_RESPONSE_BYTES = 64 * 1024 * 1024
"""The largest answer rfm reads (64 MB). A Kolada page of 5 000 values is well under 10 MB."""


@attrs.frozen
class Answer:
    status: int
    headers: Mapping[str, str]
    body: bytes


class Stalled(Exception):
    """No complete answer within the request's deadline (told as a retryable problem)."""


class _Download:
    """A GET streamed in a worker thread; the caller waits on :meth:`result`."""

    def __init__(self, http: httpx.Client, url: str, seconds: float, limit: int) -> None:
        self.url, self.seconds, self.limit = url, seconds, limit
        self.deadline = time.monotonic() + seconds
        self.answer: Answer | None = None
        self.error: BaseException | None = None
        self._http = http
        self._thread = threading.Thread(target=self._run, daemon=True, name="rfm-kolada-get")
        self._thread.start()

    def _run(self) -> None:
        try:
            self.answer = self._get()
        except BaseException as exc:  # handed to the caller, who decides
            self.error = exc

    def _get(self) -> Answer:
        with self._http.stream("GET", self.url, timeout=httpx.Timeout(self.seconds)) as response:
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > self.limit:
                raise _too_large(self.url, self.limit, f"it says {int(declared)} bytes")
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():  # decompressed: a gzip bomb is counted as such
                size += len(chunk)
                if size > self.limit:
                    raise _too_large(self.url, self.limit, "it kept coming")
                if time.monotonic() > self.deadline:
                    raise Stalled(f"no complete answer within {self.seconds:g} s")
                chunks.append(chunk)
            return Answer(response.status_code, dict(response.headers), b"".join(chunks))

    def result(self) -> Answer:
        self._thread.join(max(0.0, self.deadline - time.monotonic()) + 0.05)
        if self._thread.is_alive():
            raise Stalled(f"no complete answer within {self.seconds:g} s")
        if self.error is not None:
            raise self.error
        assert self.answer is not None
        return self.answer


def get(http: httpx.Client, url: str, seconds: float, limit: int = MAX_RESPONSE_BYTES) -> Answer:
    """GET ``url``: the whole answer within ``seconds`` and ``limit`` bytes, or an error.

    Raises :class:`Stalled` (retryable), ``httpx.TransportError`` (retryable) or
    :class:`~rfm_kolada.errors.KoladaUnavailable` for an answer too large to read.
    """
    return _Download(http, url, seconds, limit).result()


def _too_large(url: str, limit: int, how: str) -> KoladaUnavailable:
    return KoladaUnavailable(
        f"Kolada's answer to {url} is larger than {limit // (1024 * 1024)} MB ({how}); stopped "
        "reading it (a Kolada page of 5 000 values is a few MB: is the base URL right?)"
    )


def json_problem(answer: Answer, text: str | None) -> str | None:
    """Why ``text`` (the decoded body) is not usable JSON, in words; None when it is JSON."""
    kind = answer.headers.get("content-type", answer.headers.get("Content-Type", "")).lower()
    if text is None:
        return "the answer is not JSON (not UTF-8 text)"
    start = text.lstrip()[:200].lower()
    if "html" in kind or start.startswith(("<!doctype html", "<html", "<")):
        title = re.search(r"<title[^>]*>([^<]{1,80})", text[:4096], re.IGNORECASE)
        named = f": {title.group(1).strip()!r}" if title else ""
        return f"the answer is not JSON (an HTML page{named}); is the base URL a Kolada v3 API?"
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.pos >= len(text.rstrip()) - 1 or not text.strip():
            return "the answer is not complete JSON (cut off?)"
        return f"the answer is not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
    except (ValueError, RecursionError):  # 5 000-digit numbers, nesting thousands deep
        return "the answer is not JSON rfm can read (a number too long or nesting too deep)"
    return None
