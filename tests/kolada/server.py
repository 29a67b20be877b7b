"""A real HTTP server on localhost that answers like Kolada v3, with faults on demand.

It serves the fixtures in ``data/`` (real Kolada metadata and values; see data/README.md):
``/v3/kpi``, ``/v3/municipality``, ``/v3/municipality_groups`` (all, by ids, or ``?title=``)
and ``/v3/data/kpi/{k}/municipality/{m}/year/{y}``, pages them by ``page``/``per_page`` with
``next_url`` links, and refuses more than 25 ids in a path segment with HTTP 400, as v3 does.

Faults are queued per path substring and used up one request at a time:
``"500"``, ``"429:<seconds>"`` (with Retry-After), ``"sleep:<seconds>"`` (answer late),
``"truncated"`` (half the JSON), ``"loop"`` (``next_url`` points back at the same page),
``"trickle:<seconds>"`` (send the answer one byte every so many seconds), ``"html"`` (a 200 with
an HTML page, as a proxy or captive portal sends), ``"huge:<MB>"`` (that many megabytes of
body, without a Content-Length), ``"declared:<MB>"`` (a Content-Length that large).

Hostile behaviour that lasts: ``endless_paging`` (every page links to a "next" page with a new
query, for ever) and ``stall_all`` (every request answered one byte every two seconds).

``hold``: an event every request waits for (at most a minute) before it is answered, so a test
can see what the client does while Kolada has not answered yet.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import attrs

DATA = Path(__file__).parent / "data"


def _load(name: str) -> list[Any]:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


KPIS = _load("kpi.json")
MUNICIPALITIES = _load("municipality.json")
GROUPS = _load("municipality_groups.json")
ROWS = _load("data_real.json") + _load("data_costs.json") + _load("data_goals.json")


@attrs.define
class Seen:
    path: str
    at: float
    user_agent: str


@attrs.define
class KoladaState:
    base_url: str = ""
    page_size: int = 5000
    link_style: str = "null"  # how "no next page" is said: null, absent or empty
    rows: list[Any] = attrs.field(factory=lambda: [dict(r) for r in ROWS])
    faults: dict[str, list[str]] = attrs.field(factory=dict)
    requests: list[Seen] = attrs.field(factory=list)
    endless_paging: bool = False
    stall_all: bool = False
    bytes_sent: int = 0
    hold: threading.Event | None = None

    def fault(self, path: str, *faults: str) -> None:
        self.faults.setdefault(path, []).extend(faults)

    def take_fault(self, path: str) -> str | None:
        for key, queue in self.faults.items():
            if key in path and queue:
                return queue.pop(0)
        return None

    def data_paths(self) -> list[str]:
        return [r.path for r in self.requests if "/data/" in r.path]


class Handler(BaseHTTPRequestHandler):
    server: KoladaHTTPServer

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        state = self.server.state
        state.requests.append(Seen(self.path, time.monotonic(), self.headers.get("User-Agent", "")))
        if state.hold is not None:
            state.hold.wait(timeout=60)
        fault = state.take_fault(self.path)
        if state.stall_all:
            fault = "trickle:2"
        if fault == "html":
            page = (
                b"<!DOCTYPE html><html><head><title>Logga in - Hotellets wifi</title></head></html>"
            )
            return self._send(200, page, {"Content-Type": "text/html"})
        if fault and fault.startswith(("huge", "declared")):
            return self._huge(int(fault.split(":")[1]), declared=fault.startswith("declared"))
        if fault == "500":
            return self._send(500, b'{"error": "internal"}')
        if fault and fault.startswith("429"):
            return self._send(429, b'{"error": "slow down"}', {"Retry-After": fault.split(":")[1]})
        if fault and fault.startswith("sleep"):
            time.sleep(float(fault.split(":")[1]))
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        parts = [p for p in url.path.split("/") if p][1:]  # drop "v3"
        if any(len(p.split(",")) > 25 for p in parts):
            return self._send(400, b'{"error": "at most 25 ids per segment"}')
        items = self._route(parts, query)
        if items is None:
            return self._send(404, b'{"error": "not found"}')
        page = int(query.get("page", 1))
        per_page = min(int(query.get("per_page", 5000)), state.page_size)
        chunk = items[(page - 1) * per_page : page * per_page]
        body: dict[str, Any] = {"values": chunk, "count": len(chunk)}
        more = page * per_page < len(items)
        if fault == "loop":
            body["next_url"] = f"{state.base_url.rsplit('/v3', 1)[0]}{self.path}"
        elif state.endless_paging:
            body["next_url"] = f"{state.base_url.rsplit('/v3', 1)[0]}{url.path}?" + urlencode(
                {**query, "page": page + 1, "token": f"{time.monotonic_ns()}"}
            )
        elif more:
            body["next_url"] = f"{state.base_url.rsplit('/v3', 1)[0]}{url.path}?" + urlencode(
                {**query, "page": page + 1}
            )
        elif state.link_style == "null":
            body["next_url"] = None
        elif state.link_style == "empty":
            body["next_url"] = ""
        text = json.dumps(body, ensure_ascii=False).encode()
        if fault == "truncated":
            text = text[: len(text) // 2]
        if fault and fault.startswith("trickle"):
            return self._trickle(text, float(fault.split(":")[1]))
        self._send(200, text)

    def _trickle(self, body: bytes, every: float) -> None:
        """The answer one byte at a time: each read succeeds, the whole never arrives in time."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(OSError):  # the client gave up
            for i in range(len(body)):
                self.wfile.write(body[i : i + 1])
                self.wfile.flush()
                self.server.state.bytes_sent += 1
                time.sleep(every)

    def _huge(self, megabytes: int, *, declared: bool) -> None:
        """A body of ``megabytes`` MB (spaces, then nothing: never valid JSON)."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if declared:
            self.send_header("Content-Length", str(megabytes * 1024 * 1024))
        self.end_headers()
        chunk = b" " * (1024 * 1024)
        with contextlib.suppress(OSError):  # the client stopped reading
            for _ in range(megabytes):
                self.wfile.write(chunk)
                self.server.state.bytes_sent += len(chunk)

    def _route(self, parts: list[str], query: dict[str, str]) -> list[Any] | None:
        state = self.server.state
        title = query.get("title", "").lower()
        if parts and parts[0] in ("kpi", "municipality", "municipality_groups") and len(parts) <= 2:
            table = {"kpi": KPIS, "municipality": MUNICIPALITIES, "municipality_groups": GROUPS}
            items = table[parts[0]]
            if len(parts) == 2:
                ids = parts[1].split(",")
                items = [i for i in items if i["id"] in ids]
            if title:
                items = [i for i in items if title in i["title"].lower()]
            if "region_type" in query:
                items = [i for i in items if i.get("type") == query["region_type"]]
            return items
        if (
            len(parts) == 7
            and parts[:1] == ["data"]
            and parts[1::2] == ["kpi", "municipality", "year"]
        ):
            kpis, munis, years = (set(parts[i].split(",")) for i in (2, 4, 6))
            return [
                r
                for r in state.rows
                if r["kpi"] in kpis
                and r["municipality"] in munis
                and str(r["period"]).split(".")[0] in years  # a broken period 2000.9 too
            ]
        return None

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up
            self.wfile.write(body)


class KoladaHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, state: KoladaState) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.state = state


def serve() -> Iterator[KoladaState]:
    """Start a server on a free port; yield its state; stop it afterwards."""
    state = KoladaState()
    server = KoladaHTTPServer(state)
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}/v3"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
