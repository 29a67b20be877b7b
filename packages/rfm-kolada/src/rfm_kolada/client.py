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
* **polite**: ``per_page=5000``, a User-Agent naming rfm, at most 5 requests a second, and at
  most ``retries`` retries with exponential backoff on timeouts, 429 and 5xx, waiting what
  ``Retry-After`` asks (and saying so through ``on_wait``); a Retry-After longer than
  ``max_retry_after`` stops with a message instead of a silent wait.
* **bounded**: ``timeout`` is the *total* time of one request (a server trickling one byte
  every two seconds is cut off at it), ``deadline`` the total time of everything the client
  does on the network; an answer larger than 64 MB, or more than :data:`MAX_PAGES` pages
  from one request, stops with an error (:mod:`rfm_kolada.transport`).
* **values checked**: a value that is not a number (``"NaN"``, ``true``, an object) is kept as
  *missing* and its ``status`` says what Kolada sent; a row whose period is not a whole year
  or whose count is not a whole number is an error, never truncated or guessed.
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
import math
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import attrs
import httpx
import polars as pl

from rfm_kolada import __version__, transport
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
OFFLINE_ENV = "RFM_OFFLINE"
"""Set (to anything but 0) by ``rfm report --offline``: every client answers from the cache."""
MAX_IDS_PER_SEGMENT = 25
PER_PAGE = 5000
MAX_PAGES = 100
"""Pages followed from one request. At 5 000 values a page, 100 pages are 500 000 values: far
more than any rfm request (at most 25 KPIs × 25 municipalities × 25 years) can return."""
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
        deadline: float | None = None,
        on_wait: Callable[[str], None] | None = None,
    ) -> None:
        """``timeout``: seconds for one whole request; ``deadline``: seconds for everything
        (None: no bound beyond the retries); ``on_wait(message)`` is told of each wait."""
        self.base_url = (base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL).rstrip("/")
        if urlsplit(self.base_url).scheme not in ("http", "https"):
            raise KoladaError(f"the Kolada base URL must start with http(s)://: {self.base_url!r}")
        self.cache = ResponseCache(cache_dir or default_cache_dir())
        self.offline = offline or os.environ.get(OFFLINE_ENV, "") not in ("", "0")
        self.refresh = refresh
        self.timeout, self.retries, self.backoff = timeout, retries, backoff
        self.min_interval = 1.0 / max_per_second
        self.max_retry_after = max_retry_after
        self.deadline = deadline
        self._ends_at = None if deadline is None else time.monotonic() + deadline
        self.on_wait = on_wait
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
        with _shape("KPI list"):
            frame = (
                pl.DataFrame(_records(items, "id", "title"), infer_schema_length=None)
                if items
                else _empty_kpis()
            )
        if ids:
            self._check_known("KPI", ids, frame["id"].to_list())
        return frame

    def municipalities(
        self, ids: Sequence[str] = (), *, title: str | None = None, region_type: str | None = None
    ) -> pl.DataFrame:
        """Municipalities and regions: id (``0665``; ``0000`` is Riket), title and type K/L."""
        params = {k: v for k, v in (("title", title), ("region_type", region_type)) if v}
        items = self._collect("municipality", ids, params)
        with _shape("municipality list"):
            frame = pl.DataFrame(
                [
                    {"id": str(i["id"]), "title": str(i["title"]), "type": i.get("type")}
                    for i in _records(items, "id", "title")
                ],
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
        with _shape("municipality group list"):
            groups = [
                MunicipalityGroup(
                    str(g["id"]),
                    str(g["title"]),
                    tuple(
                        (str(m["member_id"]), str(m["member_title"]))
                        for m in _records(g.get("members") or [], "member_id", "member_title")
                    ),
                )
                for g in _records(items, "id", "title")
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
                raise KoladaPagingError(
                    f"Kolada sent more than {MAX_PAGES} pages for {url} (each next_url new); "
                    "stopped: no rfm request has that many"
                )
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
        try:
            return json.loads(cached.body)
        except (ValueError, RecursionError):
            raise KoladaError(
                f"the Kolada cache file {self.cache.path_of(url)} holds an answer that is not "
                "JSON; delete it or run 'rfm kolada refresh'"
            ) from None

    def _download(self, url: str) -> CachedResponse:
        """GET with retries; store the body in the cache only once it is valid JSON.

        Every wait and every request fits in what is left of ``deadline``; a wait the server
        asks for beyond ``max_retry_after`` (or beyond the deadline) ends the call with a
        message saying so, rather than sleeping in silence.
        """
        problem = ""
        for attempt in range(self.retries + 1):
            if attempt:
                self._pause(*self._wait(attempt), problem, url)
            http = self._client()  # made first: building its SSL context takes a while
            self._throttle()
            left = self._left(url, problem, need=0.0)
            seconds = self.timeout if left is None else min(self.timeout, left)
            try:
                answer = transport.get(http, url, round(seconds, 1) or 0.1)
            except transport.Stalled as exc:
                problem = str(exc)
                self._abandon()
                continue
            except httpx.TimeoutException:
                problem = f"no answer within {_seconds(seconds)} s"
                continue
            except httpx.TransportError as exc:
                problem = f"network error: {exc}"
                continue
            if answer.status == 429 or answer.status >= 500:
                problem = f"HTTP {answer.status}"
                self._retry_after = _retry_after(answer.headers)
                continue
            text = _text(answer.body)
            if answer.status != 200:
                shown = (text or "")[:200].strip()
                raise KoladaRequestError(f"Kolada refused {url}: HTTP {answer.status} {shown!r}")
            bad = transport.json_problem(answer, text)
            if bad is not None:
                problem = bad
                continue
            assert text is not None
            return self.cache.put(url, text, datetime.now(UTC))
        raise KoladaUnavailable(
            f"Kolada did not answer {url} usefully after {self.retries + 1} "
            f"attempt{'s' * (self.retries > 0)}: {problem}"
        )

    def _client(self) -> httpx.Client:
        if self._http is None:
            self._http = httpx.Client(
                headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
                follow_redirects=False,
            )
        return self._http

    def _abandon(self) -> None:
        """Leave a stalled download's client to its worker; the next request gets a new one."""
        self._http = None

    def _left(self, url: str, problem: str, need: float) -> float | None:
        """Seconds left of ``deadline`` (None: no deadline), or an error when ``need`` won't fit."""
        if self._ends_at is None:
            return None
        left = self._ends_at - time.monotonic()
        if left <= need or left <= 0.05:
            why = f" (last problem: {problem})" if problem else ""
            raise KoladaUnavailable(
                f"Kolada did not answer {url} within the {self.deadline:g} s this command "
                f"allows{why}"
            )
        return left

    def _wait(self, attempt: int) -> tuple[float, bool]:
        """Seconds to wait before retry ``attempt``, and whether the server asked for them."""
        asked, self._retry_after = self._retry_after, None
        if asked is not None:
            return asked, True
        return float(self.backoff * 2 ** (attempt - 1)), False

    def _pause(self, seconds: float, asked: bool, problem: str, url: str) -> None:
        """Wait before a retry: what the server asked for, within bounds, and say so."""
        if asked and seconds > self.max_retry_after:
            asked_for = f"{seconds:,.0f}".replace(",", " ")
            raise KoladaUnavailable(
                f"Kolada asked rfm to wait {asked_for} s before asking again ({problem}, "
                f"Retry-After); rfm waits at most {self.max_retry_after:g} s, so it stopped: "
                f"try again later ({url})"
            )
        self._left(url, problem, need=seconds)
        if seconds >= 1 and self.on_wait is not None:
            self.on_wait(f"Kolada: {problem}; waiting {seconds:g} s before trying again")
        time.sleep(seconds)

    def _throttle(self) -> None:
        wait = self._last_request + self.min_interval - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self._last_request = time.monotonic()


def _seconds(value: float) -> str:
    """``1.0`` → ``"1"``, ``0.44`` → ``"0.4"``: seconds as a person reads them."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _text(body: bytes) -> str | None:
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


@contextmanager
def _shape(what: str) -> Iterator[None]:
    """Turn a malformed metadata answer (a missing key, a wrong type) into one clear error."""
    try:
        yield
    except (KeyError, TypeError, ValueError, AttributeError, pl.exceptions.PolarsError) as exc:
        raise KoladaUnavailable(
            f"Kolada's {what} has an unexpected shape ({type(exc).__name__}: {exc}); is the base "
            "URL a Kolada v3 API?"
        ) from None


def _records(items: Any, *keys: str) -> list[dict[str, Any]]:
    """``items`` if it is a list of objects that each have ``keys``, else an error."""
    if not isinstance(items, list) or not all(
        isinstance(i, dict) and all(k in i for k in keys) for i in items
    ):
        raise TypeError(f"expected a list of objects with {', '.join(keys)}")
    return items


def _retry_after(headers: Any) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date), if any."""
    value = headers.get("Retry-After") or headers.get("retry-after")
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError):
        return None


def _flatten(rows: list[Any]) -> pl.DataFrame:
    """v3 data rows (one per KPI, municipality and period) → one row per gender value.

    Each field is checked, not coerced: a period must be a whole year (2023.9 is not 2023), a
    count a whole number; a value that is not a finite number (``"NaN"``, ``true``, NaN) is
    kept as missing, with a status saying what Kolada sent.
    """
    out = []
    for row in rows:
        try:
            if not isinstance(row, dict) or not isinstance(row["values"], list):
                raise TypeError("expected an object with a 'values' list")
            period = _whole(row["period"], "period")
            for v in row["values"]:
                if not isinstance(v, dict):
                    raise TypeError("expected each value as an object")
                value, note = _number(v.get("value"))
                out.append(
                    {
                        "kpi": _text_field(row["kpi"], "kpi"),
                        "municipality": _text_field(
                            row.get("municipality", row.get("ou")), "municipality"
                        ),
                        "year": period,
                        "gender": _optional_text(v.get("gender"), "gender"),
                        "count": None if v.get("count") is None else _whole(v["count"], "count"),
                        "status": note or _optional_text(v.get("status"), "status"),
                        "value": value,
                        "isdeleted": _optional_bool(v.get("isdeleted"), "isdeleted"),
                    }
                )
        except (KeyError, TypeError, ValueError) as exc:
            raise KoladaUnavailable(
                f"a Kolada data row has an unexpected shape ({exc}): {row!r:.200}"
            ) from None
    return pl.DataFrame(out, schema=DATA_SCHEMA).sort("kpi", "municipality", "year", "gender")


def _number(value: Any) -> tuple[float | None, str | None]:
    """(the value, None) for a finite JSON number; (None, why) for anything else but null."""
    if value is None:
        return None, None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
        if math.isfinite(number):
            return number, None
    return None, f"ogiltigt värde från Kolada: {value!r:.40} (inget tal; räknas som saknat)"


def _whole(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 10:
            return int(value)
        raise ValueError(f"{field} {value!r} is not a whole number")
    return value


def _text_field(value: Any, field: str) -> str:
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise ValueError(f"{field} {value!r} is not text")
    return str(value)


def _optional_text(value: Any, field: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{field} {value!r} is not text")
    return value


def _optional_bool(value: Any, field: str) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise ValueError(f"{field} {value!r} is not true or false")
    return value


def _empty_kpis() -> pl.DataFrame:
    return pl.DataFrame(schema={"id": pl.String, "title": pl.String, "description": pl.String})
