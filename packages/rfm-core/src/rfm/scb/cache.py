"""SCB's answers on disk, one file per request, with the time each was fetched.

A request is its method, URL and body (PxWeb asks for data with a POST whose body is the
selection), so the key is the SHA-256 of the three. SCB revises figures (a population of 31
December is final in February, the forecast changes each spring), so each file keeps when it was
fetched, and a result can say which fetch it used. Files are written to a temporary name and
renamed: a crash never leaves half an answer behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from datetime import datetime
from pathlib import Path

import attrs

from rfm.scb.errors import ScbError

CACHE_ENV = "RFM_CACHE_DIR"


def default_cache_dir() -> Path:
    """``$RFM_CACHE_DIR/scb``, else ``$XDG_CACHE_HOME/rfm/scb`` or ``~/.cache/rfm/scb``."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]) / "scb"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "rfm" / "scb"


@attrs.frozen
class CachedAnswer:
    """One answer exactly as SCB sent it, the request it answers, and when (UTC)."""

    method: str
    url: str
    request: str
    fetched_at: datetime
    body: str

    @property
    def key(self) -> str:
        return request_key(self.method, self.url, self.request)


def request_key(method: str, url: str, request: str) -> str:
    return hashlib.sha256(f"{method} {url}\n{request}".encode()).hexdigest()[:40]


class AnswerCache:
    """A folder of cached answers keyed by request."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, key: str) -> Path:
        return self.directory / f"{key}.json"

    def get(self, method: str, url: str, request: str) -> CachedAnswer | None:
        path = self._path(request_key(method, url, request))
        if not path.exists():
            return None
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
            return CachedAnswer(
                stored["method"],
                stored["url"],
                stored["request"],
                datetime.fromisoformat(stored["fetched_at"]),
                stored["body"],
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ScbError(
                f"the SCB cache file {path} is damaged ({exc}); delete it and fetch again"
            ) from None

    def put(self, answer: CachedAnswer) -> CachedAnswer:
        self.directory.mkdir(parents=True, exist_ok=True)
        record = {
            "method": answer.method,
            "url": answer.url,
            "request": answer.request,
            "fetched_at": answer.fetched_at.isoformat(),
            "body": answer.body,
        }
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(record, f, ensure_ascii=False)
            Path(tmp).replace(self._path(answer.key))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return answer
