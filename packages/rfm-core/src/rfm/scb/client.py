"""A careful client for SCB's PxWeb API (v1 and v2): one deadline, bounded retries, a cache.

    client = PxWebClient("v2")                          # statistikdatabasen.scb.se/api/v2
    info = client.table("TAB638")                       # dimensions and their codes
    cube = client.data("TAB638", {"Region": ["0680"], "Alder": ["0", "1"], …})

What it promises, because a population decides budgets:

* **one deadline**: every request, retry and wait of a client fits within ``deadline`` seconds
  from its first request; then it stops and says so. Each request also has its own timeout.
* **bounded**: at most ``retries`` retries per request (timeouts, network errors, 429 and 5xx,
  an answer that is not whole JSON), waiting what ``Retry-After`` asks within the deadline; a
  selection larger than SCB's cell limit is split into at most ``max_requests`` requests, or
  refused; an answer larger than 64 MB is refused.
* **complete or nothing**: every part of a split selection, or an error naming what failed.
* **polite**: a User-Agent naming rfm, at most ``max_per_second`` requests a second (SCB allows
  30 per 10 seconds).
* **cached**: each answer is kept with its fetch time (:mod:`rfm.scb.cache`); a request the
  cache holds is not sent, ``offline=True`` never touches the network and names every missing
  answer, ``refresh=True`` fetches again. :meth:`provenance` says which fetches a result used.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote, urlsplit

import attrs
import httpx
import polars as pl

from rfm import __version__
from rfm.scb.cache import AnswerCache, CachedAnswer, default_cache_dir
from rfm.scb.cube import Cube, TableInfo, selection_cells, v1_cube, v1_table, v2_cube, v2_table
from rfm.scb.errors import NotInCache, ScbError, ScbRequestError, ScbUnavailable

Api = Literal["v1", "v2"]
APIS: tuple[Api, ...] = ("v1", "v2")
DEFAULT_BASE_URLS: Mapping[str, str] = {
    "v1": "https://api.scb.se/OV0104/v1/doris",
    "v2": "https://statistikdatabasen.scb.se/api/v2",
}
BASE_URL_ENV = "RFM_SCB_BASE_URL"
MAX_CELLS = 150_000
"""SCB's limit of cells per answer (PxWeb's ``maxCells``)."""
MAX_BYTES = 64 * 1024 * 1024
USER_AGENT = f"rfm/{__version__} (resursfordelningsmodeller for Swedish municipalities)"


@attrs.frozen
class Fetch:
    """One answer a result used: its request URL, when SCB sent it, and whether from disk."""

    url: str
    fetched_at: datetime
    from_cache: bool


class PxWebClient:
    """SCB's PxWeb API with the guarantees of this module. Use as a context manager."""

    def __init__(
        self,
        api: Api = "v2",
        base_url: str | None = None,
        *,
        lang: str = "sv",
        cache_dir: Path | None = None,
        offline: bool = False,
        refresh: bool = False,
        deadline: float = 120.0,
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 1.0,
        max_per_second: float = 3.0,
        max_requests: int = 100,
    ) -> None:
        if api not in APIS:
            raise ScbError(f"PxWeb API {api!r}: expected v1 or v2")
        self.api = api
        self.base_url = (base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URLS[api]).rstrip(
            "/"
        )
        if urlsplit(self.base_url).scheme not in ("http", "https"):
            raise ScbError(f"the SCB base URL must start with http(s)://: {self.base_url!r}")
        if deadline <= 0 or timeout <= 0 or retries < 0 or max_requests < 1:
            raise ScbError("deadline and timeout must be above 0, retries 0 or more")
        self.lang = lang
        self.cache = AnswerCache(cache_dir or default_cache_dir())
        self.offline, self.refresh = offline, refresh
        self.deadline, self.timeout, self.retries, self.backoff = (
            deadline,
            timeout,
            retries,
            backoff,
        )
        self.min_interval = 1.0 / max_per_second
        self.max_requests = max_requests
        self.fetches: list[Fetch] = []
        self._http: httpx.Client | None = None
        self._started: float | None = None
        self._last_request = float("-inf")

    def __enter__(self) -> PxWebClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None

    # -- what a caller asks ---------------------------------------------------------------

    def table(self, table: str) -> TableInfo:
        """The table's dimensions and categories (``BE/BE0101/BE0101A/BefolkningNy`` in v1,
        ``TAB638`` in v2)."""
        url = self._table_url(table, "metadata")
        doc = self._json("GET", url, "")
        return v1_table(doc, table) if self.api == "v1" else v2_table(doc, table)

    def data(
        self,
        table: str,
        selection: Mapping[str, Sequence[str]],
        *,
        split: Sequence[str] = (),
    ) -> Cube:
        """The cells of ``selection`` (dimension code → category codes); dimensions left out
        are eliminated by SCB. Larger than :data:`MAX_CELLS`: split along ``split`` (the first
        that helps) into several requests, all of which must succeed."""
        parts = self._split(table, selection, split)
        url = self._table_url(table, "data")
        cubes: list[Cube] = []
        missing: list[str] = []
        for part in parts:
            body = self._body(part)
            try:
                doc = self._json("POST", url, body)
            except NotInCache as exc:
                missing.extend(exc.missing)
                continue
            cubes.append(v1_cube(doc, table) if self.api == "v1" else v2_cube(doc, table))
        if missing:
            raise NotInCache(
                f"--offline: {len(missing)} SCB answer(s) are not in the cache "
                f"{self.cache.directory}:\n" + "\n".join(f"  {m}" for m in missing),
                missing,
            )
        first = cubes[0]
        return attrs.evolve(
            first, frame=pl.concat([c.frame for c in cubes], how="vertical_relaxed")
        )

    def provenance(self) -> str:
        """``Källa: SCB (URL), N svar hämtade … (M ur cache)``."""
        if not self.fetches:
            return f"Källa: SCB ({self.base_url}); inga svar användes"
        times = sorted(f.fetched_at for f in self.fetches)
        cached = sum(f.from_cache for f in self.fetches)
        first, last = (t.strftime("%Y-%m-%d %H:%M UTC") for t in (times[0], times[-1]))
        when = first if first == last else f"{first} – {last}"
        return (
            f"Källa: SCB ({self.base_url}); {len(self.fetches)} svar hämtade {when}"
            f" ({cached} ur cache, {len(self.fetches) - cached} nya)"
        )

    # -- requests -------------------------------------------------------------------------------

    def _table_url(self, table: str, what: str) -> str:
        if self.api == "v1":
            path = "/".join(quote(p, safe="") for p in table.strip("/").split("/"))
            return f"{self.base_url}/{quote(self.lang)}/ssd/{path}"
        tab = quote(table, safe="")
        if what == "metadata":
            return f"{self.base_url}/tables/{tab}/metadata?lang={quote(self.lang)}"
        return f"{self.base_url}/tables/{tab}/data?lang={quote(self.lang)}&outputFormat=json-stat2"

    def _body(self, selection: Mapping[str, Sequence[str]]) -> str:
        if self.api == "v1":
            doc: dict[str, Any] = {
                "query": [
                    {"code": code, "selection": {"filter": "item", "values": list(values)}}
                    for code, values in selection.items()
                ],
                "response": {"format": "json"},
            }
        else:
            doc = {
                "selection": [
                    {"variableCode": code, "valueCodes": list(values)}
                    for code, values in selection.items()
                ]
            }
        return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))

    def _split(
        self, table: str, selection: Mapping[str, Sequence[str]], split: Sequence[str]
    ) -> list[dict[str, list[str]]]:
        whole = {k: list(v) for k, v in selection.items()}
        cells = selection_cells(whole)
        if cells <= MAX_CELLS:
            return [whole]
        for dim in split:
            values = whole.get(dim, [])
            per_value = cells // max(len(values), 1)
            if len(values) < 2 or per_value > MAX_CELLS:
                continue
            size = max(1, MAX_CELLS // per_value)
            chunks = [values[i : i + size] for i in range(0, len(values), size)]
            if len(chunks) > self.max_requests:
                break
            return [{**whole, dim: chunk} for chunk in chunks]
        raise ScbError(
            f"{table}: the selection has {cells:,} cells, more than SCB answers at once "
            f"({MAX_CELLS:,}) in at most {self.max_requests} requests; ask for fewer kommuner "
            "or years".replace(",", " ")
        )

    def _json(self, method: str, url: str, body: str) -> Any:
        cached = None if self.refresh else self.cache.get(method, url, body)
        if cached is None:
            if self.offline:
                raise NotInCache(
                    f"--offline: not in the cache: {method} {url}", [f"{method} {url} {body}"]
                )
            cached = self._download(method, url, body)
            self.fetches.append(Fetch(url, cached.fetched_at, from_cache=False))
        else:
            self.fetches.append(Fetch(url, cached.fetched_at, from_cache=True))
        return json.loads(cached.body)

    def _remaining(self) -> float:
        if self._started is None:
            self._started = time.monotonic()
        return self.deadline - (time.monotonic() - self._started)

    def _download(self, method: str, url: str, body: str) -> CachedAnswer:
        """One request with retries, within the deadline; cached only once it is whole JSON."""
        if self._http is None:
            self._http = httpx.Client(
                headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
                follow_redirects=False,
            )
        problem, wait = "", 0.0
        for attempt in range(self.retries + 1):
            if attempt:
                self._sleep(wait or self.backoff * 2 ** (attempt - 1), url, problem)
            self._throttle(url)
            left = self._remaining()
            if left <= 0:
                break
            wait = 0.0
            try:
                status, headers, text = self._send(method, url, body, min(self.timeout, left))
            except httpx.TimeoutException:
                problem = f"no answer within {min(self.timeout, left):.3g} s"
                continue
            except httpx.TransportError as exc:
                problem = f"network error: {exc}"
                continue
            if status == 429 or status >= 500:
                problem = f"HTTP {status}"
                wait = _retry_after(headers.get("Retry-After")) or 0.0
                continue
            if status != 200:
                raise ScbRequestError(
                    f"SCB refused {method} {url}: HTTP {status} {text[:300].strip()!r}"
                )
            try:
                json.loads(text)
            except ValueError:
                problem = "the answer is not whole JSON (cut off?)"
                continue
            return self.cache.put(CachedAnswer(method, url, body, datetime.now(UTC), text))
        raise ScbUnavailable(
            f"SCB did not answer {method} {url} usefully within {self.deadline:g} s and "
            f"{self.retries + 1} attempts" + (f": {problem}" if problem else "")
        )

    def _send(
        self, method: str, url: str, body: str, timeout: float
    ) -> tuple[int, httpx.Headers, str]:
        assert self._http is not None
        # httpx's timeout is per read; the deadline caps the whole request too
        limit = time.monotonic() + timeout
        content = body.encode() if method == "POST" else None
        headers = {"Content-Type": "application/json"} if content is not None else {}
        with self._http.stream(
            method, url, content=content, headers=headers, timeout=httpx.Timeout(timeout)
        ) as response:
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_BYTES:
                    raise ScbError(f"{url}: the answer is larger than {MAX_BYTES // 2**20} MB")
                if time.monotonic() > limit:
                    raise httpx.ReadTimeout("the answer took longer than the timeout")
                chunks.append(chunk)
            # SCB's v1 answers begin with a byte-order mark; JSON is UTF-8 either way
            text = b"".join(chunks).decode("utf-8-sig", errors="replace")
            return response.status_code, response.headers, text

    def _sleep(self, seconds: float, url: str, problem: str) -> None:
        left = self._remaining()
        if seconds >= left:
            raise ScbUnavailable(
                f"SCB did not answer {url} usefully within the deadline of {self.deadline:g} s"
                + (f" ({problem})" if problem else "")
            )
        time.sleep(seconds)

    def _throttle(self, url: str) -> None:
        wait = self._last_request + self.min_interval - time.monotonic()
        if wait > 0:
            self._sleep(wait, url, "")
        self._last_request = time.monotonic()


def _retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date), if any."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError):
        return None
