"""A Kolada answer from someone else: each hostile server ends within its bound, with a message.

Against the local Kolada-shaped server (tests/kolada/server.py): a server that trickles one
byte every two seconds, an endless paginator, a 300 MB answer, an absurd Retry-After, an HTML
page, values that are not numbers, and a cache that is damaged or cannot be written. Each
ends within the bound the command states (``--timeout``/``--deadline``, the report's 3 s), with
one clear error (exit 1, no traceback) or a value marked missing, never a hang or a guess.
"""

from __future__ import annotations

import json
import re
import time

import pytest

import rfm_kolada as rk
from rfm_kolada.client import MAX_PAGES
from rfm_kolada.transport import MAX_RESPONSE_BYTES
from tests.kolada.test_report_section import POP, TENANT


def clear_error(result, pattern: str) -> str:
    """Exit 1, no traceback, one line "Error: …" matching ``pattern`` (after any wait notices)."""
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, result.stderr
    assert re.search(pattern, errors[0]), result.stderr
    return errors[0]


def warm(make_client) -> None:
    """Metadata in the cache, so that the hostile behaviour meets the data request."""
    with make_client() as client:
        client.data(["N00945"], ["0180"], [2001])


# -- hangs -----------------------------------------------------------------------------------


def test_a_trickling_server_is_cut_off_at_the_requests_total_timeout(kolada, make_client):
    warm(make_client)
    kolada.fault("/data/", "trickle:0.2")  # 5 bytes a second: every read well within 1 s
    started = time.monotonic()
    with make_client(timeout=1.0, retries=0) as client, pytest.raises(rk.KoladaUnavailable) as e:
        client.data(["N00945"], ["0180"], [2000])
    took = time.monotonic() - started
    assert "no complete answer within 1 s" in str(e.value)
    assert 0.9 < took < 2.0
    assert kolada.bytes_sent < 20  # it was still sending when rfm stopped waiting


def test_rfm_kolada_timeout_and_deadline_bound_the_command(kolada_cli, kolada):
    """`rfm kolada --timeout T --deadline D` ends by D however slowly the server sends."""
    kolada.stall_all = True  # every answer one byte every 2 s
    started = time.monotonic()
    result = kolada_cli("--timeout", "1", "--deadline", "2.5", "fetch", "N00945", "-m", "0180",
                        "--years", "2000")  # fmt: skip
    took = time.monotonic() - started
    clear_error(result, r"within the 2\.5 s this command allows|no complete answer within 1 s")
    assert took < 4.0


def test_rfm_report_waits_a_few_seconds_for_kolada_at_most(
    rfm_cli, kolada, tenant_file, tmp_path, monkeypatch
):
    monkeypatch.setenv("RFM_KOLADA_BASE_URL", kolada.base_url)
    monkeypatch.setenv("RFM_CACHE_DIR", str(tmp_path / "cache"))
    kolada.stall_all = True
    config = tenant_file(TENANT, {"pop.csv": POP})
    out = tmp_path / "rapport.html"
    started = time.monotonic()
    done = rfm_cli("report", "--config", str(config), "--years", "2024", "--out", str(out))
    took = time.monotonic() - started
    assert done.exit_code == 0, done.output
    assert took < 8.0  # 3 s for the section at most, plus the run and the file
    section = out.read_text(encoding="utf-8").split('id="kolada"')[1]
    assert "Kolada svarade inte, så jämförelsen saknas" in section
    assert re.search(
        r"no complete answer within [23](\.\d)? s|within the 3 s this command", section
    )


def test_rfm_report_offline_asks_kolada_nothing(
    rfm_cli, kolada, tenant_file, tmp_path, monkeypatch
):
    monkeypatch.setenv("RFM_KOLADA_BASE_URL", kolada.base_url)
    monkeypatch.setenv("RFM_CACHE_DIR", str(tmp_path / "cache"))
    config = tenant_file(TENANT, {"pop.csv": POP})
    out = tmp_path / "rapport.html"
    done = rfm_cli(
        "report", "--config", str(config), "--years", "2024", "--out", str(out), "--offline"
    )
    assert done.exit_code == 0, done.output
    assert kolada.requests == []
    section = out.read_text(encoding="utf-8").split('id="kolada"')[1]
    assert "--offline" in section and "not in the cache" in section
    import os

    assert "RFM_OFFLINE" not in os.environ  # set for the report only


# -- pages, bytes, waits ---------------------------------------------------------------------


def test_an_endless_paginator_is_stopped_at_the_page_bound(kolada, make_client):
    warm(make_client)
    kolada.endless_paging = True
    kolada.page_size = 1
    started = time.monotonic()
    with make_client() as client, pytest.raises(rk.KoladaPagingError) as e:
        client.data(["N00945"], ["0180", "1280"], [2000])
    assert f"more than {MAX_PAGES} pages" in str(e.value)
    assert len(kolada.data_paths()) == 1 + MAX_PAGES  # the warm-up, then the bound
    assert time.monotonic() - started < 10


def test_a_300_mb_answer_is_not_read_past_the_byte_bound(kolada, make_client):
    warm(make_client)
    kolada.fault("/data/", "huge:300")
    with make_client() as client, pytest.raises(rk.KoladaUnavailable) as e:
        client.data(["N00945"], ["0180"], [2000])
    assert "larger than 64 MB" in str(e.value)
    assert kolada.bytes_sent < 300 * 1024 * 1024  # rfm hung up long before the end
    time.sleep(0.2)
    assert kolada.bytes_sent <= MAX_RESPONSE_BYTES + 16 * 1024 * 1024  # socket buffers aside


def test_a_declared_300_mb_answer_is_refused_before_reading(kolada, make_client):
    warm(make_client)
    kolada.fault("/data/", "declared:300")
    with make_client() as client, pytest.raises(rk.KoladaUnavailable, match="says 314572800"):
        client.data(["N00945"], ["0180"], [2000])


def test_an_absurd_retry_after_stops_at_once_and_says_why(kolada_cli, kolada):
    kolada.fault("/kpi", "429:99999999")
    started = time.monotonic()
    result = kolada_cli("fetch", "N00945", "-m", "0180", "--years", "2000")
    clear_error(result, r"asked rfm to wait 99 999 999 s .*at most 60 s.*try again later")
    assert time.monotonic() - started < 2
    assert len(kolada.requests) == 1


def test_a_short_retry_after_is_waited_for_and_said(kolada_cli, kolada):
    kolada.fault("/kpi", "429:1")
    result = kolada_cli("fetch", "N00945", "-m", "0180", "--years", "2000")
    assert result.exit_code == 0, result.output
    assert "HTTP 429; waiting 1 s before trying again" in result.stderr


def test_an_html_page_is_called_an_html_page(kolada, make_client):
    kolada.fault("/kpi", *["html"] * 4)
    with make_client() as client, pytest.raises(rk.KoladaUnavailable) as e:
        client.kpis(["N00945"])
    assert "not JSON (an HTML page: 'Logga in - Hotellets wifi')" in str(e.value)
    assert "cut off" not in str(e.value)


# -- values that are not what they say ----------------------------------------------------------


def set_value(kolada, kpi: str, municipality: str, year: int, **fields: object) -> None:
    """Change the fixture row's period or its values' fields, as a broken Kolada would send."""
    for row in kolada.rows:
        if (row["kpi"], row["municipality"], row["period"]) == (kpi, municipality, year):
            row.update({k: v for k, v in fields.items() if k == "period"})
            row["values"] = [dict(v, **{k: x for k, x in fields.items() if k != "period"})
                             for v in row["values"]]  # fmt: skip


@pytest.mark.parametrize("sent", ["NaN", True, {"x": 1}, "12,5"])
def test_a_value_that_is_not_a_number_is_missing_and_says_what_came(kolada, make_client, sent):
    set_value(kolada, "N00945", "0180", 2000, value=sent)
    with make_client() as client:
        row = client.data(["N00945"], ["0180"], [2000]).row(0, named=True)
    assert row["value"] is None
    assert row["status"].startswith("ogiltigt värde från Kolada")
    assert repr(sent)[:10] in row["status"]


def test_a_bare_nan_in_the_json_is_missing_too(kolada, make_client):
    set_value(kolada, "N00945", "0180", 2000, value=float("nan"))  # json.dumps writes NaN
    with make_client() as client:
        assert client.data(["N00945"], ["0180"], [2000])["value"].to_list() == [None]


@pytest.mark.parametrize(
    ("fields", "message"),
    [({"period": 2000.9}, "period 2000.9"), ({"count": "abc"}, "count 'abc'")],
)
def test_a_row_that_cannot_be_placed_is_refused(kolada, make_client, fields, message):
    set_value(kolada, "N00945", "0180", 2000, **fields)
    with make_client() as client, pytest.raises(rk.KoladaUnavailable, match=message):
        client.data(["N00945", "N00945"], ["0180"], [2000, 2000])


def test_fetch_as_json_is_valid_json_with_null_for_what_is_not_a_number(kolada_cli, kolada):
    set_value(kolada, "N00945", "0180", 2000, value="NaN")
    result = kolada_cli("fetch", "N00945", "-m", "0180", "--years", "2000", "--format", "json")
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout, parse_constant=lambda c: pytest.fail(f"bare {c}"))
    assert records[0]["value"] is None and "ogiltigt" in records[0]["status"]


# -- the cache ----------------------------------------------------------------------------------


def cached_file(tmp_path, url_part: str):
    for path in (tmp_path / "cache").glob("*.json"):
        record = json.loads(path.read_text(encoding="utf-8"))
        if url_part in record["url"]:
            return path, record
    raise AssertionError(url_part)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda r: dict(r, body="<html>"), "holds an answer that is not JSON"),
        (lambda r: dict(r, fetched_at="2024-01-01T10:00:00"), "has no time zone"),
        (lambda r: [r], "is damaged"),
        (lambda r: dict(r, url=5), "is damaged"),
    ],
)
def test_a_damaged_cache_record_is_named(kolada, make_client, tmp_path, damage, message):
    warm(make_client)
    path, record = cached_file(tmp_path, "/data/")
    path.write_text(json.dumps(damage(record)), encoding="utf-8")
    with make_client() as client, pytest.raises(rk.KoladaError, match=message) as e:
        client.data(["N00945"], ["0180"], [2001])
    assert path.name in str(e.value)


def test_a_cache_folder_that_cannot_be_made_is_a_clear_error(kolada_cli, tmp_path):
    (tmp_path / "rfm-cache").mkdir()
    blocker = tmp_path / "rfm-cache" / "kolada"
    blocker.write_text("a file where the cache folder should be", encoding="utf-8")
    result = kolada_cli("fetch", "N00945", "-m", "0180", "--years", "2000")
    clear_error(result, r"cannot write the Kolada cache folder .*rfm-cache/kolada")


def test_rfm_report_says_when_the_cache_cannot_be_made(rfm_cli, kolada, tenant_file, tmp_path,
                                                        monkeypatch):  # fmt: skip
    blocker = tmp_path / "cache"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("RFM_KOLADA_BASE_URL", kolada.base_url)
    monkeypatch.setenv("RFM_CACHE_DIR", str(blocker))
    config = tenant_file(TENANT, {"pop.csv": POP})
    out = tmp_path / "rapport.html"
    done = rfm_cli("report", "--config", str(config), "--years", "2024", "--out", str(out))
    assert done.exit_code == 0, done.output
    section = out.read_text(encoding="utf-8").split('id="kolada"')[1]
    assert "cannot write the Kolada cache folder" in section
