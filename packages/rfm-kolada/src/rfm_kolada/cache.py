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

import rfm
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

    def path_of(self, url: str) -> Path:
        """The file that holds (or would hold) the answer to ``url``."""
        return self.directory / f"{hashlib.sha256(url.encode()).hexdigest()[:40]}.json"

    _path = path_of

    def get(self, url: str) -> CachedResponse | None:
        path = self.path_of(url)
        if not path.exists():
            return None
        found = self._read(path)
        if found.url != url:
            raise KoladaError(
                f"the Kolada cache file {path} holds the answer to another request "
                f"({found.url}); delete it or run 'rfm kolada refresh'"
            )
        return found

    def _read(self, path: Path) -> CachedResponse:
        """One record, checked: a URL, an aware fetch time and a body, all of the right type."""
        try:
            stored = json.loads(rfm.read_regular_file(path).decode("utf-8"))
            url, fetched, body = stored["url"], stored["fetched_at"], stored["body"]
            if not all(isinstance(x, str) for x in (url, fetched, body)):
                raise TypeError("url, fetched_at and body must be text")
            when = datetime.fromisoformat(fetched)
            if when.tzinfo is None:
                raise ValueError(f"fetched_at {fetched!r} has no time zone")
            return CachedResponse(url, when, body)
        except (rfm.RfmError, ValueError, KeyError, TypeError, RecursionError) as exc:
            raise KoladaError(
                f"the Kolada cache file {path} is damaged ({exc}); delete it or run "
                "'rfm kolada refresh'"
            ) from None

    def put(self, url: str, body: str, fetched_at: datetime) -> CachedResponse:
        record = {"url": url, "fetched_at": fetched_at.isoformat(), "body": body}
        target = self.path_of(url)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=".json")
        except OSError as exc:
            raise KoladaError(
                f"cannot write the Kolada cache folder {self.directory} ({exc.strerror}); give "
                "--cache-dir or RFM_CACHE_DIR a folder rfm may write in"
            ) from None
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(record, f, ensure_ascii=False)
            Path(tmp).replace(target)
        except OSError as exc:
            Path(tmp).unlink(missing_ok=True)
            raise KoladaError(
                f"cannot write the Kolada cache file {target} ({exc.strerror}); nothing was cached"
            ) from None
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
