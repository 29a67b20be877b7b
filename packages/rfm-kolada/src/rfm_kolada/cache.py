"""Raw Kolada responses on disk, one file per request URL, with the time they were fetched.

Kolada revises figures without notice, so rfm keeps what it was told and when: a result can say
which fetch it used, ``--offline`` can answer from the cache alone, and ``rfm kolada refresh``
fetches every cached request again. Files are written to a temporary name and renamed, so a
crash never leaves half a response behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import attrs

from rfm_kolada.errors import KoladaError

CACHE_ENV = "RFM_CACHE_DIR"


def default_cache_dir() -> Path:
    """``$RFM_CACHE_DIR/kolada``, else ``$XDG_CACHE_HOME/rfm/kolada`` or ``~/.cache/rfm/kolada``."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]) / "kolada"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "rfm" / "kolada"


@attrs.frozen
class CachedResponse:
    """One response body exactly as Kolada sent it, with its URL and fetch time (UTC)."""

    url: str
    fetched_at: datetime
    body: str


class ResponseCache:
    """A folder of cached responses keyed by the full request URL (query string included)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, url: str) -> Path:
        return self.directory / f"{hashlib.sha256(url.encode()).hexdigest()[:40]}.json"

    def get(self, url: str) -> CachedResponse | None:
        path = self._path(url)
        if not path.exists():
            return None
        return self._read(path)

    def _read(self, path: Path) -> CachedResponse:
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
            return CachedResponse(
                stored["url"], datetime.fromisoformat(stored["fetched_at"]), stored["body"]
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise KoladaError(
                f"the Kolada cache file {path} is damaged ({exc}); delete it or run "
                "'rfm kolada refresh'"
            ) from exc

    def put(self, url: str, body: str, fetched_at: datetime) -> CachedResponse:
        self.directory.mkdir(parents=True, exist_ok=True)
        record = {"url": url, "fetched_at": fetched_at.isoformat(), "body": body}
        target = self._path(url)
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(record, f, ensure_ascii=False)
            Path(tmp).replace(target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return CachedResponse(url, fetched_at, body)

    def entries(self) -> Iterator[CachedResponse]:
        """Every cached response, oldest fetch first."""
        if not self.directory.exists():
            return iter(())
        found = [self._read(p) for p in self.directory.glob("*.json")]
        return iter(sorted(found, key=lambda r: (r.fetched_at, r.url)))
