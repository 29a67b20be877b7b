"""A careful client for the Kolada API v3: paging, chunking, retries, a rate limit and a cache.

    client = KoladaClient()                       # https://api.kolada.se/v3, or $RFM_KOLADA_BASE_URL
    rows = client.data(["N30005"], ["0665", "0000"], [2022, 2023])

What it promises, because budget numbers rest on it:

* **complete or nothing**: every page of every chunk, or an error naming what failed. A batch
  that fails after its retries fails the call; rfm never returns part of an answer.
* **paging** follows ``next_url`` until it is null, absent or empty; a link seen twice, or one
  that leaves the Kolada server, is an error.
* **at most 25 ids per path segment** (Kolada v3 refuses more): longer lists are split and the
  requests are the product of the chunks.
* **polite**: ``per_page=5000``, a User-Agent naming rfm, at most 5 requests a second, timeouts,
  and at most ``retries`` retries with exponential backoff on timeouts, 429 and 5xx, waiting
  what ``Retry-After`` asks.
* **missing stays missing**: a ``null`` value is a null, never 0; ``gender``, ``status``,
  ``count`` and (with ``from_date``) ``isdeleted`` are kept.
* **cached**: each raw response is kept on disk with its fetch time (:mod:`rfm_kolada.cache`); a
  request the cache can answer is not sent, ``offline=True`` never touches the network and names
  what is missing, ``refresh=True`` fetches again. :attr:`fetches` says which fetch each answer
  came from.
"""

from __future__ import annotations

import itertools
import json
import os
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import attrs
import httpx
import polars as pl

from rfm_kolada import __version__
from rfm_kolada.cache import CachedResponse, ResponseCache, default_cache_dir
from rfm_kolada.errors import (
    KoladaError,
    KoladaPagingError,
    KoladaRequestError,
    KoladaUnavailable,
    NotInCache,
    UnknownKoladaId,
)

DEFAULT_BASE_URL = "https://api.kolada.se/v3"
BASE_URL_ENV = "RFM_KOLADA_BASE_URL"
MAX_IDS_PER_SEGMENT = 25
PER_PAGE = 5000
MAX_PAGES = 10_000
USER_AGENT = f"rfm-kolada/{__version__} (rfm: resursfordelningsmodeller for Swedish municipalities)"

DATA_SCHEMA = {
    "kpi": pl.String,
    "municipality": pl.String,
    "year": pl.Int64,
    "gender": pl.String,
    "count": pl.Int64,
    "status": pl.String,
    "value": pl.Float64,
    "isdeleted": pl.Boolean,
}


@attrs.frozen
class Fetch:
    """One response an answer used: its URL, when Kolada sent it, and whether it came from disk."""

    url: str
    fetched_at: datetime
    from_cache: bool


@attrs.frozen
class MunicipalityGroup:
    """A kommungrupp: its id (``G92792``), title and members as (id, title) pairs."""

    id: str
    title: str
    members: tuple[tuple[str, str], ...]

    def has(self, municipality: str) -> bool:
        return any(m == municipality for m, _ in self.members)


def chunks(ids: Sequence[str], size: int = MAX_IDS_PER_SEGMENT) -> list[list[str]]:
    """``ids`` in order, without duplicates, in lists of at most ``size``."""
    unique = list(dict.fromkeys(ids))
    return [unique[i : i + size] for i in range(0, len(unique), size)]


class KoladaClient:
    """Kolada v3, with the guarantees of this module. Use as a context manager or call close()."""

    def __init__(
        self,
        base_url: str | None = None,
        *,
        cache_dir: Path | None = None,
        offline: bool = False,
        refresh: bool = False,
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 1.0,
        max_per_second: float = 5.0,
        max_retry_after: float = 60.0,
    ) -> None:
        self.base_url = (base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL).rstrip("/")
        if urlsplit(self.base_url).scheme not in ("http", "https"):
            raise KoladaError(f"the Kolada base URL must start with http(s)://: {self.base_url!r}")
        self.cache = ResponseCache(cache_dir or default_cache_dir())
        self.offline, self.refresh = offline, refresh
        self.timeout, self.retries, self.backoff = timeout, retries, backoff
        self.min_interval = 1.0 / max_per_second
        self.max_retry_after = max_retry_after
        self.fetches: list[Fetch] = []
        self._http: httpx.Client | None = None
        self._last_request = float("-inf")
        self._retry_after: float | None = None

    def __enter__(self) -> KoladaClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None

    # -- metadata ---------------------------------------------------------------------------

    def kpis(self, ids: Sequence[str] = (), *, title: str | None = None) -> pl.DataFrame:
        """KPI records (id, title, description, …); unknown ``ids`` are an error."""
        items = self._collect("kpi", ids, {"title": title} if title else {})
        frame = pl.DataFrame(items, infer_schema_length=None) if items else _empty_kpis()
        if ids:
            self._check_known("KPI", ids, frame["id"].to_list())
        return frame

    def municipalities(
        self, ids: Sequence[str] = (), *, title: str | None = None, region_type: str | None = None
    ) -> pl.DataFrame:
        """Municipalities and regions: id (``0665``; ``0000`` is Riket), title and type K/L."""
        params = {k: v for k, v in (("title", title), ("region_type", region_type)) if v}
        items = self._collect("municipality", ids, params)
        frame = pl.DataFrame(
            [{"id": i["id"], "title": i["title"], "type": i.get("type")} for i in items],
            schema={"id": pl.String, "title": pl.String, "type": pl.String},
        )
        if ids:
            self._check_known("municipality", ids, frame["id"].to_list())
        return frame

    def municipality_groups(
        self, ids: Sequence[str] = (), *, title: str | None = None
    ) -> list[MunicipalityGroup]:
        """Kommungrupper with their members (``member_id``/``member_title`` in v3)."""
        items = self._collect("municipality_groups", ids, {"title": title} if title else {})
        groups = [
            MunicipalityGroup(
                str(g["id"]),
                str(g["title"]),
                tuple((str(m["member_id"]), str(m["member_title"])) for m in g.get("members", [])),
            )
            for g in items
        ]
        if ids:
            self._check_known("municipality group", ids, [g.id for g in groups])
        return groups

    # -- data -------------------------------------------------------------------------------

    def data(
        self, kpis: Sequence[str], municipalities: Sequence[str], years: Sequence[int]
    ) -> pl.DataFrame:
        """Values per KPI, municipality (or group ``G…``), year and gender.

        Columns: kpi, municipality, year, gender, count, status, value (null when Kolada has
        no value), isdeleted. Unknown KPI or municipality ids are an error, before any data
        request.
        """
        if not kpis or not municipalities or not years:
            raise KoladaError("a data request needs at least one KPI, one municipality and a year")
        self.kpis(kpis)
        plain = [m for m in municipalities if not m.startswith("G")]
        groups = [m for m in municipalities if m.startswith("G")]
        if plain:
            known = self.municipalities()["id"].to_list()
            self._check_known("municipality", plain, known)
        if groups:
            self.municipality_groups(groups)
        segments = [
            f"data/kpi/{','.join(k)}/municipality/{','.join(m)}/year/{','.join(map(str, y))}"
            for k, m, y in itertools.product(
                chunks(kpis), chunks(municipalities), chunks([str(y) for y in years])
            )
        ]
        rows = self._pages_of_all([self._url(s, {}) for s in segments])
        return _flatten(rows)

    # -- cache upkeep ---------------------------------------------------------------------------

    def refresh_cache(self) -> tuple[int, int]:
        """Fetch every cached request again; return (changed, unchanged)."""
        if self.offline:
            raise KoladaError("refresh needs the network; drop --offline")
        changed = unchanged = 0
        for old in list(self.cache.entries()):
            new = self._download(old.url)
            if new.body == old.body:
                unchanged += 1
            else:
                changed += 1
        return changed, unchanged

    def provenance(self) -> str:
        """Which fetches an answer used: "Källa: Kolada (URL), N svar hämtade … (M ur cache)"."""
        if not self.fetches:
            return f"Källa: Kolada ({self.base_url}); inga svar användes"
        times = sorted(f.fetched_at for f in self.fetches)
        cached = sum(f.from_cache for f in self.fetches)
        first, last = (t.strftime("%Y-%m-%d %H:%M UTC") for t in (times[0], times[-1]))
        when = first if first == last else f"{first} – {last}"
        return (
            f"Källa: Kolada ({self.base_url}); {len(self.fetches)} svar hämtade {when}"
            f" ({cached} ur cache, {len(self.fetches) - cached} nya)"
        )

    # -- internals ------------------------------------------------------------------------------

    def _url(self, path: str, params: dict[str, str]) -> str:
        query = urlencode({**params, "per_page": PER_PAGE})
        return f"{self.base_url}/{path}?{query}"

    def _collect(self, entity: str, ids: Sequence[str], params: dict[str, str]) -> list[Any]:
        if not ids:
            return self._pages_of_all([self._url(entity, params)])
        urls = [
            self._url(f"{entity}/{','.join(quote(i, safe='') for i in part)}", params)
            for part in chunks(ids)
        ]
        return self._pages_of_all(urls)

    def _check_known(self, what: str, asked: Iterable[str], found: Iterable[str]) -> None:
        missing = sorted(set(asked) - set(found))
        if missing:
            raise UnknownKoladaId(
                f"Kolada ({self.base_url}) has no {what} {', '.join(repr(m) for m in missing)}"
            )

    def _pages_of_all(self, urls: Sequence[str]) -> list[Any]:
        """The values of every page of every URL; offline, all cache misses are named at once."""
        values: list[Any] = []
        missing: list[str] = []
        for url in urls:
            try:
                values.extend(self._pages(url))
            except NotInCache as exc:
                missing.extend(exc.missing)
        if missing:
            raise NotInCache(
                f"--offline: {len(missing)} Kolada request(s) are not in the cache "
                f"{self.cache.directory}:\n" + "\n".join(f"  {m}" for m in missing),
                missing,
            )
        return values

    def _pages(self, url: str) -> list[Any]:
        values: list[Any] = []
        seen: set[str] = set()
        next_url: str | None = url
        while next_url:
            if next_url in seen:
                raise KoladaPagingError(f"Kolada's paging came back to {next_url}; stopped")
            if len(seen) >= MAX_PAGES:
                raise KoladaPagingError(f"more than {MAX_PAGES} pages from {url}; stopped")
            self._check_same_server(next_url)
            seen.add(next_url)
            page = self._get(next_url)
            if not isinstance(page, dict) or not isinstance(page.get("values"), list):
                raise KoladaUnavailable(
                    f"{next_url}: Kolada's answer has no 'values' list; is the base URL a Kolada "
                    "v3 API?"
                )
            values.extend(page["values"])
            link = page.get("next_url")
            next_url = link if isinstance(link, str) and link.strip() else None
        return values

    def _check_same_server(self, url: str) -> None:
        base, other = urlsplit(self.base_url), urlsplit(url)
        if (other.scheme, other.netloc) != (base.scheme, base.netloc):
            raise KoladaPagingError(
                f"a paging link points away from {base.scheme}://{base.netloc}: {url}"
            )

    def _get(self, url: str) -> Any:
        cached = None if self.refresh else self.cache.get(url)
        if cached is None:
            if self.offline:
                raise NotInCache(f"--offline: not in the cache: {url}", [url])
            cached = self._download(url)
            self.fetches.append(Fetch(url, cached.fetched_at, from_cache=False))
        else:
            self.fetches.append(Fetch(url, cached.fetched_at, from_cache=True))
        return json.loads(cached.body)

    def _download(self, url: str) -> CachedResponse:
        """GET with retries; store the body in the cache only once it is valid JSON."""
        if self._http is None:
            self._http = httpx.Client(
                timeout=httpx.Timeout(self.timeout),
                headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
                follow_redirects=False,
            )
        problem = ""
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self._wait(attempt, problem))
            self._throttle()
            try:
                response = self._http.get(url)
            except httpx.TimeoutException:
                problem = f"no answer within {self.timeout:g} s"
                continue
            except httpx.TransportError as exc:
                problem = f"network error: {exc}"
                continue
            if response.status_code == 429 or response.status_code >= 500:
                problem = f"HTTP {response.status_code}"
                self._retry_after = _retry_after(response)
                continue
            if response.status_code != 200:
                raise KoladaRequestError(
                    f"Kolada refused {url}: HTTP {response.status_code} "
                    f"{response.text[:200].strip()!r}"
                )
            try:
                json.loads(response.text)
            except ValueError:
                problem = "the answer is not complete JSON (cut off?)"
                continue
            return self.cache.put(url, response.text, datetime.now(UTC))
        raise KoladaUnavailable(
            f"Kolada did not answer {url} usefully after {self.retries + 1} attempts: {problem}"
        )

    def _wait(self, attempt: int, problem: str) -> float:
        asked, self._retry_after = self._retry_after, None
        if asked is not None:
            return min(asked, self.max_retry_after)
        return float(self.backoff * 2 ** (attempt - 1))

    def _throttle(self) -> None:
        wait = self._last_request + self.min_interval - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self._last_request = time.monotonic()


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date), if any."""
    value = response.headers.get("Retry-After")
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


def _flatten(rows: list[Any]) -> pl.DataFrame:
    """v3 data rows (one per KPI, municipality and period) → one row per gender value."""
    out = []
    for row in rows:
        try:
            for v in row["values"]:
                value = v.get("value")
                out.append(
                    {
                        "kpi": str(row["kpi"]),
                        "municipality": str(row.get("municipality", row.get("ou"))),
                        "year": int(row["period"]),
                        "gender": v.get("gender"),
                        "count": v.get("count"),
                        "status": v.get("status"),
                        "value": None if value is None else float(value),
                        "isdeleted": v.get("isdeleted"),
                    }
                )
        except (KeyError, TypeError, ValueError) as exc:
            raise KoladaUnavailable(
                f"a Kolada data row has an unexpected shape: {row!r:.200}"
            ) from exc
    return pl.DataFrame(out, schema=DATA_SCHEMA).sort("kpi", "municipality", "year", "gender")


def _empty_kpis() -> pl.DataFrame:
    return pl.DataFrame(schema={"id": pl.String, "title": pl.String, "description": pl.String})
