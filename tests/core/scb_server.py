"""A real HTTP server on localhost that answers like SCB's PxWeb API, v1 and v2, with faults.

What it serves, and where each part comes from:

* **the recorded answers** (``tests/data/scb_pxweb/``, real SCB responses; see its README): a
  data request whose selection is the one a recording answers gets that recording, byte for
  byte. TAB5974 (the framskrivning) is served from its recording alone: its metadata lists the
  categories the recording holds, and any other selection is refused;
* **the population tables** BefolkningNy (v1) and TAB638 (v2) for the 290 kommuner, with SCB's
  dimension codes (Region, Civilstand, Alder 0–99 and 100+, Kon 1/2, ContentsCode BE0101N1,
  Tid), filled with SCB's real figures of 31 December 2019 by kommun, single year of age and sex
  (``benchmarks/sources/folkmangd_alder_kon_2019.csv``). Answers take the shape of the
  recordings: a v2 answer is the recorded TAB638 answer with its ``id``, ``size``, categories
  and ``value`` replaced; a v1 answer has the recorded ``columns`` and ``metadata``.

Those figures are totals over civilstånd, so Civilstand can only be left out (eliminated) here,
in both versions; asking for its categories is refused with HTTP 400. (In SCB's own v2 TAB638
Civilstand cannot be left out; Kön cannot either, and the client's "ask for every category and
sum" path is the one it takes for Kön here.) The metadata answers (a GET on a v1 table,
``/metadata`` in v2) were not recorded; they are built in PxWeb's documented shape from the same
dimensions.

Faults are queued per path substring and used one request at a time: ``"500"``,
``"429:<seconds>"`` (with Retry-After), ``"sleep:<seconds>"`` (answer late), ``"truncated"``.
"""

from __future__ import annotations

import contextlib
import csv
import itertools
import json
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import attrs

ROOT = Path(__file__).resolve().parents[2]
RECORDED = ROOT / "tests" / "data" / "scb_pxweb"
POPULATION_2019 = ROOT / "benchmarks" / "sources" / "folkmangd_alder_kon_2019.csv"
KOMMUNER = ROOT / "packages" / "rfm-core" / "src" / "rfm" / "data" / "kommuner.csv"

V1_PREFIX = "/OV0104/v1/doris/sv/ssd/"
V2_PREFIX = "/api/v2/tables/"


def _recorded(path: str) -> dict[str, Any]:
    return json.loads((RECORDED / path).read_text(encoding="utf-8"))


@attrs.frozen
class Dim:
    code: str
    label: str
    values: tuple[str, ...]
    texts: tuple[str, ...]
    elimination: bool = False
    elimination_code: str | None = None
    total_only: bool = False
    """The data hold only the total over this dimension: it can only be left out."""


@attrs.frozen
class Replay:
    selection: Mapping[str, tuple[str, ...]]
    file: str


@attrs.define
class Table:
    """A served table: its dimensions, its cells (codes of the data dimensions → value) and the
    recorded answers it replays."""

    id: str
    title: str
    dims: tuple[Dim, ...]
    cells: dict[tuple[str, ...], float] = attrs.field(factory=dict)
    data_dims: tuple[str, ...] = ()
    replays: list[Replay] = attrs.field(factory=list)
    template: str = ""


def _population_cells() -> tuple[dict[tuple[str, ...], float], tuple[str, ...]]:
    """(Region, Alder, Kon, ContentsCode, Tid) → persons, from SCB's 2019 single years."""
    with KOMMUNER.open(encoding="utf-8") as f:
        code_of = {row["kommun"]: row["kommunkod"] for row in csv.DictReader(f)}
    cells: dict[tuple[str, ...], float] = {}
    with POPULATION_2019.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            age = "100+" if row["ålder"] == "100" else row["ålder"]
            sex = {"män": "1", "kvinnor": "2"}[row["kön"]]
            key = (code_of[row["region"]], age, sex, "BE0101N1", "2019")
            cells[key] = float(row["X2019"])
    return cells, ("Region", "Alder", "Kon", "ContentsCode", "Tid")


def population_tables() -> dict[tuple[str, str], Table]:
    cells, data_dims = _population_cells()
    with KOMMUNER.open(encoding="utf-8") as f:
        kommuner = [(row["kommunkod"], row["kommun"]) for row in csv.DictReader(f)]
    ages = (*(str(a) for a in range(100)), "100+")

    def dims(v2: bool) -> tuple[Dim, ...]:
        return (
            Dim(
                "Region",
                "region",
                tuple(c for c, _ in kommuner),
                tuple(n for _, n in kommuner),
                elimination=True,
            ),
            Dim(
                "Civilstand",
                "civilstånd",
                ("OG", "G", "ÄNKL", "SK"),
                ("ogifta", "gifta", "änkor/änklingar", "skilda"),
                elimination=True,
                total_only=True,
            ),
            Dim(
                "Alder",
                "ålder",
                (*ages, *(() if v2 else ("tot",))),
                (*(f"{a} år" for a in ages), *(() if v2 else ("totalt ålder",))),
                elimination=not v2,
            ),
            Dim("Kon", "kön", ("1", "2"), ("män", "kvinnor"), elimination=not v2),
            Dim("ContentsCode", "tabellinnehåll", ("BE0101N1",), ("Folkmängd",)),
            Dim("Tid", "år", ("2019",), ("2019",)),
        )

    v1 = Table(
        "BE/BE0101/BE0101A/BefolkningNy",
        "Folkmängden efter region, civilstånd, ålder och kön. År 1968 - 2019",
        dims(False),
        cells,
        data_dims,
        [
            Replay(
                {
                    "Region": ("00",),
                    "Civilstand": ("OG",),
                    "Alder": ("0",),
                    "Kon": ("1",),
                    "ContentsCode": ("BE0101N1",),
                    "Tid": ("2024",),
                },
                "v1/sv/BefolkningNy-3e8562-POST.json",
            ),
            Replay(
                {"ContentsCode": ("BE0101N1", "BE0101N2"), "Tid": ("2010", "2011", "2012")},
                "v1/sv/BefolkningNy-b51455-POST.json",
            ),
        ],
        "v1/sv/BefolkningNy-3e8562-POST.json",
    )
    v2 = Table(
        "TAB638",
        "Folkmängd efter region, civilstånd, ålder, kön och år",
        dims(True),
        cells,
        data_dims,
        [
            Replay(
                {
                    "Region": ("00",),
                    "Civilstand": ("OG",),
                    "Alder": ("0",),
                    "Kon": ("1",),
                    "ContentsCode": ("BE0101N1",),
                    "Tid": ("2024",),
                },
                "v2/TAB638/data-35e0e2-5aec69-POST.json",
            )
        ],
        "v2/TAB638/data-35e0e2-5aec69-POST.json",
    )
    recorded = _recorded("v2/TAB5974/data-35e0e2-fb7f17-POST.json")
    forecast_dims = []
    for dim_id in recorded["id"]:
        d = recorded["dimension"][dim_id]
        codes = tuple(d["category"]["index"])
        ext = d.get("extension", {})
        forecast_dims.append(
            Dim(
                dim_id,
                d["label"],
                codes,
                tuple(d["category"]["label"][c] for c in codes),
                elimination=bool(ext.get("elimination")),
                elimination_code=ext.get("eliminationValueCode"),
            )
        )
    forecast = Table(
        "TAB5974",
        recorded["label"],
        tuple(forecast_dims),
        replays=[
            Replay(
                {
                    "InrikesUtrikes": ("83",),
                    "Alder": ("0",),
                    "Kon": ("1", "2"),
                    "ContentsCode": ("000005NO",),
                    "Tid": ("2026",),
                },
                "v2/TAB5974/data-35e0e2-fb7f17-POST.json",
            )
        ],
        template="v2/TAB5974/data-35e0e2-fb7f17-POST.json",
    )
    return {("v1", v1.id): v1, ("v2", v2.id): v2, ("v2", forecast.id): forecast}


class Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def answer_cells(
    table: Table, selection: Mapping[str, Sequence[str]]
) -> tuple[list[Dim], list[tuple[tuple[str, ...], float | None]]]:
    """The kept dimensions and each cell (their codes) with its value, as PxWeb computes them:
    a dimension left out is summed (or its eliminationValueCode taken)."""
    kept: list[Dim] = []
    choices: list[tuple[str, ...]] = []
    for dim in table.dims:
        if dim.code in selection:
            codes = tuple(selection[dim.code])
            unknown = [c for c in codes if c not in dim.values]
            if unknown:
                raise Refused(400, f"variable {dim.code} has no value(s) {unknown}")
            if dim.total_only:
                raise Refused(
                    400,
                    f"this test server holds SCB's 2019 figures summed over {dim.label} only; "
                    f"leave {dim.code} out",
                )
            kept.append(dim)
            choices.append(codes)
        elif not dim.elimination:
            raise Refused(400, f"variable {dim.code} must be selected (no elimination)")
    if not table.cells:
        raise Refused(400, f"{table.id}: this test server answers only the recorded selection")
    position = {name: i for i, name in enumerate(table.data_dims)}
    totals: dict[tuple[str, ...], float] = {}
    for key, value in table.cells.items():
        parts = []
        for dim, codes in zip(kept, choices, strict=True):
            own = key[position[dim.code]]
            parts.append([c for c in codes if c == own or c == "tot"])
        for combo in itertools.product(*parts):
            totals[combo] = totals.get(combo, 0.0) + value
    cells = [(combo, totals.get(combo)) for combo in itertools.product(*choices)]
    return kept, cells


def v1_answer(table: Table, selection: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    kept, cells = answer_cells(table, selection)
    template = _recorded(table.template)
    keys = [d for d in kept if d.code != "ContentsCode"]
    contents = next((selection[d.code] for d in kept if d.code == "ContentsCode"), ["BE0101N1"])
    by_code = {c["code"]: c for c in template["columns"]}
    columns = [
        by_code.get(d.code, {"code": d.code, "text": d.label, "type": "d"})
        | ({"type": "t"} if d.code == "Tid" else {})
        for d in keys
    ] + [{"code": c, "text": "Folkmängd", "type": "c"} for c in contents]
    content_at = next((i for i, d in enumerate(kept) if d.code == "ContentsCode"), None)
    data = []
    for combo, value in cells:
        key = [c for i, c in enumerate(combo) if i != content_at]
        data.append({"key": key, "values": [".." if value is None else str(int(value))]})
    return {
        "columns": columns,
        "comments": [],
        "data": data,
        "metadata": [{k: v for k, v in m.items() if k != "updated"} for m in template["metadata"]],
    }


def v2_answer(table: Table, selection: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    kept, cells = answer_cells(table, selection)
    doc = _recorded(table.template)
    doc["id"] = [d.code for d in kept]
    doc["size"] = [len(selection[d.code]) for d in kept]
    doc["dimension"] = {
        d.code: _v2_dimension(doc["dimension"].get(d.code, {}), d, list(selection[d.code]))
        for d in kept
    }
    doc["value"] = [None if v is None else int(v) for _, v in cells]
    doc["label"] = table.title
    doc.pop("updated", None)  # the recording's date is not these figures' date
    return doc


def _v2_dimension(template: Mapping[str, Any], dim: Dim, codes: list[str]) -> dict[str, Any]:
    text = dict(zip(dim.values, dim.texts, strict=True))
    out = dict(template) or {"label": dim.label}
    category = dict(template.get("category", {}))
    category["index"] = {c: i for i, c in enumerate(codes)}
    category["label"] = {c: text[c] for c in codes}
    if "unit" in category:
        category["unit"] = {
            c: category["unit"].get(c, {"base": "antal", "decimals": 0}) for c in codes
        }
    out["category"] = category
    ext = dict(template.get("extension", {}))
    ext["elimination"] = dim.elimination
    if dim.elimination_code:
        ext["eliminationValueCode"] = dim.elimination_code
    out["extension"] = ext
    return out


def v1_metadata(table: Table) -> dict[str, Any]:
    return {
        "title": table.title,
        "variables": [
            {
                "code": d.code,
                "text": d.label,
                "values": list(d.values),
                "valueTexts": list(d.texts),
                **({"elimination": True} if d.elimination else {}),
                **({"time": True} if d.code == "Tid" else {}),
            }
            for d in table.dims
        ],
    }


def v2_metadata(table: Table) -> dict[str, Any]:
    doc = _recorded(table.template)
    doc.pop("value", None)
    doc["label"] = table.title
    doc["id"] = [d.code for d in table.dims]
    doc["size"] = [len(d.values) for d in table.dims]
    doc["dimension"] = {
        d.code: _v2_dimension(doc["dimension"].get(d.code, {}), d, list(d.values))
        for d in table.dims
    }
    return doc


@attrs.define
class Seen:
    method: str
    path: str
    body: str
    user_agent: str


@attrs.define
class ScbState:
    base_url_v1: str = ""
    base_url_v2: str = ""
    tables: dict[tuple[str, str], Table] = attrs.field(factory=population_tables)
    faults: dict[str, list[str]] = attrs.field(factory=dict)
    requests: list[Seen] = attrs.field(factory=list)

    def fault(self, path: str, *faults: str) -> None:
        self.faults.setdefault(path, []).extend(faults)

    def take_fault(self, path: str) -> str | None:
        for key, queue in self.faults.items():
            if key in path and queue:
                return queue.pop(0)
        return None

    def base_url(self, api: str) -> str:
        return self.base_url_v1 if api == "v1" else self.base_url_v2


class Handler(BaseHTTPRequestHandler):
    server: ScbHTTPServer

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self._handle("GET", "")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self._handle("POST", self.rfile.read(length).decode("utf-8"))

    def _handle(self, method: str, body: str) -> None:
        state = self.server.state
        state.requests.append(Seen(method, self.path, body, self.headers.get("User-Agent", "")))
        fault = state.take_fault(self.path)
        if fault == "500":
            return self._send(500, b'{"error": "internal"}')
        if fault and fault.startswith("429"):
            return self._send(429, b'{"error": "slow down"}', {"Retry-After": fault.split(":")[1]})
        if fault and fault.startswith("sleep"):
            time.sleep(float(fault.split(":")[1]))
        try:
            doc, raw = self._route(method, body)
        except Refused as exc:
            return self._send(exc.status, json.dumps({"error": str(exc)}).encode())
        text = raw if raw is not None else json.dumps(doc, ensure_ascii=False).encode()
        if fault == "truncated":
            text = text[: len(text) // 2]
        self._send(200, text)

    def _route(self, method: str, body: str) -> tuple[Any, bytes | None]:
        state = self.server.state
        path = unquote(urlsplit(self.path).path)
        if path.startswith(V1_PREFIX):
            api, table_id, what = (
                "v1",
                path[len(V1_PREFIX) :],
                "metadata" if method == "GET" else "data",
            )
        elif path.startswith(V2_PREFIX) and path.count("/") == 5:
            api = "v2"
            table_id, what = path[len(V2_PREFIX) :].split("/")
        else:
            raise Refused(404, f"no such resource {path}")
        table = state.tables.get((api, table_id))
        if table is None:
            raise Refused(404, f"no table {table_id}")
        if what == "metadata":
            if method != "GET":
                raise Refused(405, "metadata is a GET")
            return (v1_metadata(table) if api == "v1" else v2_metadata(table)), None
        if method != "POST" or what != "data":
            raise Refused(405, "data is a POST")
        selection = self._selection(api, body)
        for replay in table.replays:
            if {k: tuple(v) for k, v in selection.items()} == dict(replay.selection):
                return None, (RECORDED / replay.file).read_bytes()
        return (v1_answer if api == "v1" else v2_answer)(table, selection), None

    def _selection(self, api: str, body: str) -> dict[str, list[str]]:
        try:
            doc = json.loads(body)
            if api == "v1":
                assert doc["response"]["format"] == "json"
                return {q["code"]: list(q["selection"]["values"]) for q in doc["query"]}
            return {s["variableCode"]: list(s["valueCodes"]) for s in doc["selection"]}
        except (ValueError, KeyError, TypeError, AssertionError):
            raise Refused(400, "the query is not a PxWeb query") from None

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up
            self.wfile.write(body)


class ScbHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, state: ScbState) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.state = state


def serve() -> Iterator[ScbState]:
    """Start a server on a free port; yield its state; stop it afterwards."""
    state = ScbState()
    server = ScbHTTPServer(state)
    root = f"http://127.0.0.1:{server.server_address[1]}"
    state.base_url_v1 = f"{root}/OV0104/v1/doris"
    state.base_url_v2 = f"{root}/api/v2"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
