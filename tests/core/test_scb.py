"""``rfm scb``: SCB's PxWeb API v1 and v2 against a local server that answers like SCB.

Expected figures come from the recordings' own values (tests/data/scb_pxweb/README.md) and from
SCB's 2019 file, summed here with the csv module, independently of rfm.
"""

from __future__ import annotations

import csv
import json
import time
from collections import defaultdict
from pathlib import Path

import pytest

from rfm.scb.client import PxWebClient
from rfm.scb.errors import NotInCache, ScbError, ScbUnavailable
from rfm.scb.population import fetch_population
from tests.core.scb_server import KOMMUNER, POPULATION_2019, ScbState, serve

POPULATION_V1 = "BE/BE0101/BE0101A/BefolkningNy"
RECORDED_SELECTION = {
    "Region": ["00"],
    "Civilstand": ["OG"],
    "Alder": ["0"],
    "Kon": ["1"],
    "ContentsCode": ["BE0101N1"],
    "Tid": ["2024"],
}


@pytest.fixture
def scb() -> ScbState:
    yield from serve()


def client(scb: ScbState, api: str, tmp_path: Path, **options: object) -> PxWebClient:
    return PxWebClient(
        api,  # type: ignore[arg-type]
        scb.base_url(api),
        cache_dir=tmp_path / "cache",
        max_per_second=100,
        backoff=0.05,
        **options,  # type: ignore[arg-type]
    )


def by_hand(kommun: str) -> dict[tuple[int, str], int]:
    """SCB's 2019 file summed with csv alone: (age, sex) → persons, sex 'm', 'k' and 'total'."""
    with KOMMUNER.open(encoding="utf-8") as f:
        name = {row["kommunkod"]: row["kommun"] for row in csv.DictReader(f)}[kommun]
    out: dict[tuple[int, str], int] = defaultdict(int)
    with POPULATION_2019.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["region"] == name:
                sex = {"män": "m", "kvinnor": "k"}[row["kön"]]
                out[(int(row["ålder"]), sex)] += int(row["X2019"])
                out[(int(row["ålder"]), "total")] += int(row["X2019"])
    return out


# -- the recorded answers ---------------------------------------------------------------------


@pytest.mark.parametrize("api", ["v1", "v2"])
def test_the_recorded_answer_of_each_api_reads_as_scb_gave_it(scb, tmp_path, api):
    table = POPULATION_V1 if api == "v1" else "TAB638"
    with client(scb, api, tmp_path) as c:
        cube = c.data(table, RECORDED_SELECTION)
    rows = cube.frame.to_dicts()
    assert rows == [
        {
            "Region": "00",
            "Civilstand": "OG",
            "Alder": "0",
            "Kon": "1",
            "ContentsCode": "BE0101N1",
            "Tid": "2024",
            "value": 50937.0,
        }
    ]


def test_a_v1_answer_with_two_contents_gives_a_row_per_content(scb, tmp_path):
    with client(scb, "v1", tmp_path) as c:
        cube = c.data(
            POPULATION_V1,
            {"ContentsCode": ["BE0101N1", "BE0101N2"], "Tid": ["2010", "2011", "2012"]},
        )
    got = {(r["Tid"], r["ContentsCode"]): r["value"] for r in cube.frame.to_dicts()}
    assert got == {
        ("2010", "BE0101N1"): 9415570,
        ("2010", "BE0101N2"): 74888,
        ("2011", "BE0101N1"): 9482855,
        ("2011", "BE0101N2"): 67285,
        ("2012", "BE0101N1"): 9555893,
        ("2012", "BE0101N2"): 73038,
    }
    assert cube.contents == {"BE0101N1": "Folkmängd", "BE0101N2": "Folkökning"}


def test_the_forecast_sums_over_kon_as_the_recording_has_it(rfm_cli, scb, tmp_path):
    # TAB5974 2026, age 0: 50 080 män + 47 361 kvinnor = 97 441
    base = ["scb", "--base-url", scb.base_url_v2, "--cache-dir", str(tmp_path)]
    done = rfm_cli(*base, "forecast", "--table", "TAB5974", "--format", "csv")
    assert done.exit_code == 0, done.output
    assert done.stdout.splitlines()[:2] == ["area,year,age,count", "00,2026,0,97441"]
    each = rfm_cli(*base, "forecast", "--table", "TAB5974", "--sex", "each", "--format", "csv")
    assert each.stdout.splitlines()[1:] == ["00,2026,0,k,47361", "00,2026,0,m,50080"]
    # InrikesUtrikes was asked for its category for the whole (83), as the recording shows
    body = json.loads(scb.requests[-1].body)
    assert {"variableCode": "InrikesUtrikes", "valueCodes": ["83"]} in body["selection"]


# -- a kommun's population, by both APIs --------------------------------------------------------


@pytest.mark.parametrize("api", ["v1", "v2"])
def test_a_kommuns_population_by_single_year_summed_over_kon(scb, tmp_path, api):
    table = POPULATION_V1 if api == "v1" else "TAB638"
    with client(scb, api, tmp_path) as c:
        answer = fetch_population(c, table, ["0680", "0665"])
    hand = {k: by_hand(k) for k in ("0680", "0665")}
    frame = answer.frame
    assert frame.columns == ["area", "year", "age", "count"]
    assert frame.height == 2 * 101
    for row in frame.iter_rows(named=True):
        age = int(row["age"].rstrip("+"))
        assert row["count"] == hand[row["area"]][(age, "total")], row
    assert frame.filter(frame["area"] == "0665")["count"].sum() == 14275  # SCB 2019, Vaggeryd
    assert frame["age"].to_list()[-1] == "100+"
    assert "summerat över kön" in answer.source and table in answer.source


def test_by_sex_and_one_sex(scb, tmp_path):
    hand = by_hand("0680")
    with client(scb, "v2", tmp_path) as c:
        each = fetch_population(c, "TAB638", ["0680"], sex="each").frame
        women = fetch_population(c, "TAB638", ["0680"], sex="k").frame
    assert each.columns == ["area", "year", "age", "sex", "count"]
    assert set(each["sex"]) == {"m", "k"}
    got = {(int(r["age"].rstrip("+")), r["sex"]): r["count"] for r in each.iter_rows(named=True)}
    assert got == {k: v for k, v in hand.items() if k[1] != "total"}
    assert women.columns == ["area", "year", "age", "sex", "count"]
    assert women["count"].sum() == sum(v for (_, s), v in hand.items() if s == "k")


def test_what_rfm_scb_writes_is_a_valid_population_file(rfm_cli, scb, tmp_path):
    for sex in ("total", "each"):
        out = tmp_path / f"befolkning-{sex}.csv"
        done = rfm_cli(
            "scb",
            "--base-url",
            scb.base_url_v2,
            "--cache-dir",
            str(tmp_path),
            "population",
            "0680",
            "--sex",
            sex,
            "--format",
            "csv",
            "--out",
            str(out),
        )
        assert done.exit_code == 0, done.output
        checked = rfm_cli("validate", "municipal_population", str(out))
        assert checked.exit_code == 0, checked.output
        assert "(202 rows)" in checked.output if sex == "each" else "(101 rows)" in checked.output


def test_unknown_kommun_year_and_content_are_named(scb, tmp_path):
    with client(scb, "v2", tmp_path) as c:
        with pytest.raises(ScbError, match=r"no region '0681'; did you mean .*0680 \(Jönköping\)"):
            fetch_population(c, "TAB638", ["0681"])
        with pytest.raises(ScbError, match=r"no year 2031 \(it has 2019–2019\)"):
            fetch_population(c, "TAB638", ["0680"], years=[2031])
        with pytest.raises(ScbError, match="no tabellinnehåll 'BE0101N9'"):
            fetch_population(c, "TAB638", ["0680"], content="BE0101N9")
        with pytest.raises(ScbError, match="has no region: its figures are Riket's"):
            fetch_population(c, "TAB5974", ["0680"])


def test_a_selection_larger_than_scb_answers_at_once_is_split(scb, tmp_path, monkeypatch):
    import rfm.scb.client as module

    with client(scb, "v1", tmp_path) as c:
        whole = fetch_population(c, POPULATION_V1, ["0680", "0665", "2380"]).frame
    monkeypatch.setattr(module, "MAX_CELLS", 250)  # 202 cells per kommun: one kommun a request
    before = len(scb.requests)
    with client(scb, "v1", tmp_path / "second") as c:
        split = fetch_population(c, POPULATION_V1, ["0680", "0665", "2380"]).frame
    data_requests = [r for r in scb.requests[before:] if r.method == "POST"]
    assert len(data_requests) == 3
    assert split.sort("area", "age").equals(whole.sort("area", "age"))
    monkeypatch.setattr(module, "MAX_CELLS", 100)  # not even one kommun fits: refused
    with client(scb, "v1", tmp_path / "third") as c, pytest.raises(ScbError, match="more than"):
        fetch_population(c, POPULATION_V1, ["0680", "0665"])


# -- cache and --offline ----------------------------------------------------------------------


def test_offline_answers_from_the_cache_and_asks_nothing(rfm_cli, scb, tmp_path):
    base = ["scb", "--base-url", scb.base_url_v2, "--cache-dir", str(tmp_path)]
    online = rfm_cli(*base, "population", "0680", "--format", "csv")
    assert online.exit_code == 0, online.output
    asked = len(scb.requests)
    for args in (
        [*base, "population", "0680", "--format", "csv", "--offline"],  # after the subcommand
        ["--offline", *base, "population", "0680", "--format", "csv"],  # before it
        [*base, "--offline", "population", "0680", "--format", "csv"],  # on the group
    ):
        again = rfm_cli(*args)
        assert again.exit_code == 0, again.output
        assert again.stdout == online.stdout
        assert "1 ur cache" in again.stderr or "2 ur cache" in again.stderr
    assert len(scb.requests) == asked


def test_offline_without_the_answers_names_what_is_missing(rfm_cli, scb, tmp_path):
    done = rfm_cli(
        "scb",
        "--base-url",
        scb.base_url_v2,
        "--cache-dir",
        str(tmp_path),
        "population",
        "0680",
        "--offline",
    )
    assert done.exit_code == 1
    assert "--offline: not in the cache: GET" in done.output and "TAB638/metadata" in done.output
    assert "Traceback" not in done.output
    assert scb.requests == []


# -- deadline, retries, politeness --------------------------------------------------------------


def test_every_request_fits_one_total_deadline(scb, tmp_path):
    scb.fault("/metadata", "sleep:3", "sleep:3", "sleep:3")
    start = time.monotonic()
    with (
        client(scb, "v2", tmp_path, deadline=1.0, timeout=10) as c,
        pytest.raises(ScbUnavailable, match="within"),
    ):
        c.table("TAB638")
    assert time.monotonic() - start < 2.5


def test_retries_are_bounded(scb, tmp_path):
    scb.fault("/data", "500", "500", "500", "500", "500")
    with (
        client(scb, "v2", tmp_path, retries=2) as c,
        pytest.raises(ScbUnavailable, match="HTTP 500"),
    ):
        c.data("TAB638", RECORDED_SELECTION)
    assert sum(r.method == "POST" for r in scb.requests) == 3


def test_429_waits_as_asked_and_a_cut_answer_is_fetched_again(scb, tmp_path):
    scb.fault("/data", "429:0.3", "truncated")
    start = time.monotonic()
    with client(scb, "v2", tmp_path) as c:
        cube = c.data("TAB638", RECORDED_SELECTION)
    assert cube.frame["value"].to_list() == [50937.0]
    assert time.monotonic() - start >= 0.3
    assert sum(r.method == "POST" for r in scb.requests) == 3
    assert all(r.user_agent.startswith("rfm/") for r in scb.requests)


def test_a_refused_request_is_one_message(rfm_cli, scb, tmp_path):
    done = rfm_cli(
        "scb", "--base-url", scb.base_url_v2, "--cache-dir", str(tmp_path), "table", "TAB999"
    )
    assert done.exit_code == 1
    assert "SCB refused GET" in done.output and "HTTP 404" in done.output
    with client(scb, "v2", tmp_path, offline=True) as c, pytest.raises(NotInCache):
        c.table("TAB999")


def test_a_pxweb_file_with_kon_unread_says_to_map_or_sum_it(rfm_cli, scb, tmp_path):
    """SCB's answer saved as a file: Kön not mapped gives one hint before the repeated rows;
    mapped to sex, the file is a valid population."""
    import httpx

    ages = [str(a) for a in range(100)] + ["100+"]
    selection = {
        "Region": ["0665"],
        "Alder": ages,
        "Kon": ["1", "2"],
        "ContentsCode": ["BE0101N1"],
        "Tid": ["2019"],
    }
    body = {"selection": [{"variableCode": k, "valueCodes": v} for k, v in selection.items()]}
    answer = httpx.post(
        f"{scb.base_url_v2}/tables/TAB638/data?lang=sv&outputFormat=json-stat2", json=body
    )
    path = tmp_path / "tab638.json"
    path.write_text(answer.text, encoding="utf-8")
    renames = [
        "--rename",
        "Region=area",
        "--rename",
        "Alder=age",
        "--rename",
        "Tid=year",
        "--rename",
        "value=count",
    ]
    unread = rfm_cli("validate", "municipal_population", str(path), *renames)
    assert unread.exit_code == 1
    first = unread.output.splitlines()[1]
    assert "Kön (read it as the column sex" in first and "rfm scb population" in first
    mapped = rfm_cli("validate", "municipal_population", str(path), *renames, "--rename", "Kon=sex")
    assert mapped.exit_code == 0 and "(202 rows)" in mapped.output
