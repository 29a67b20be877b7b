"""The Kolada client against a real HTTP server on localhost: paging, chunks, faults, cache."""

from __future__ import annotations

import json
import time

import httpx
import pytest

import rfm_kolada as rk
from tests.kolada.server import MUNICIPALITIES, ROWS

CITIES = ["0180", "1280", "1480"]


def real_rows(kpi: str, municipalities: list[str], years: list[int]) -> int:
    """How many gender values the fixtures hold for this request (the hand count)."""
    return sum(
        len(r["values"])
        for r in ROWS
        if r["kpi"] == kpi and r["municipality"] in municipalities and r["period"] in years
    )


def test_real_values_come_back_exactly(make_client):
    with make_client() as client:
        frame = client.data(["N00945"], CITIES, list(range(2000, 2021)))
    assert frame.height == real_rows("N00945", CITIES, list(range(2000, 2021))) == 63
    row = frame.filter((frame["municipality"] == "0180") & (frame["year"] == 2000)).row(
        0, named=True
    )
    assert row == {
        "kpi": "N00945", "municipality": "0180", "year": 2000, "gender": "T", "count": 1,
        "status": "", "value": 31.32959689, "isdeleted": None,
    }  # fmt: skip


def test_pages_are_followed_whatever_the_last_link_looks_like(kolada, make_client):
    with make_client() as client:
        client.data(["N00945"], CITIES, [2000])  # metadata into the cache, in whole pages
        kolada.page_size = 5
        for extra, style in enumerate(("null", "absent", "empty")):
            kolada.link_style = style
            years = [1990 + extra, *range(2000, 2021)]  # a new request each time, same rows
            assert client.data(["N00945"], CITIES, years).height == 63, style
    assert len(kolada.data_paths()) == 1 + 3 * 13  # 63 rows in pages of 5, for each style


def test_more_than_25_ids_are_split_and_the_server_never_sees_more(kolada, make_client):
    municipalities = [m["id"] for m in MUNICIPALITIES if m["type"] == "K"][:27] + CITIES
    years = list(range(1995, 2024))  # 29 years: two chunks as well
    with make_client() as client:
        frame = client.data(["N03702", "N03703"], municipalities, years)
    assert frame.height == real_rows("N03702", municipalities, years) + real_rows(
        "N03703", municipalities, years
    )
    data = kolada.data_paths()
    assert len(data) == 2 * 2  # municipality chunks × year chunks
    for path in data:
        for segment in path.split("?")[0].split("/"):
            assert len(segment.split(",")) <= 25
    # The server refuses 26 ids, as Kolada v3 does: the split above is what makes this work.
    too_many = ",".join(m["id"] for m in MUNICIPALITIES[:26])
    refused = httpx.get(f"{kolada.base_url}/data/kpi/N03702/municipality/{too_many}/year/2012")
    assert refused.status_code == 400


def test_a_null_value_stays_missing(make_client):
    with make_client() as client:
        frame = client.data(["N28018"], ["0665"], [2023])
    assert frame.row(0, named=True)["value"] is None
    assert frame.row(0, named=True)["status"] == "Missing"


def test_a_server_error_is_retried_then_answered(kolada, make_client):
    kolada.fault("/data/", "500", "500")
    with make_client() as client:
        frame = client.data(["N00945"], ["0180"], [2000])
    assert frame["value"].to_list() == [31.32959689]
    assert len(kolada.data_paths()) == 3


def test_a_server_that_keeps_failing_gives_one_clear_error_and_no_cache(kolada, make_client):
    kolada.fault("/data/", *["500"] * 10)
    with (
        make_client() as client,
        pytest.raises(rk.KoladaUnavailable, match="after 4 attempts: HTTP 500"),
    ):
        client.data(["N00945"], ["0180"], [2000])
    assert len(kolada.data_paths()) == 4  # one try and three retries, no more
    with make_client(offline=True) as client, pytest.raises(rk.NotInCache):
        client.data(["N00945"], ["0180"], [2000])


def test_429_waits_as_long_as_retry_after_says(kolada, make_client):
    kolada.fault("/data/", "429:1")
    with make_client() as client:
        client.data(["N00945"], ["0180"], [2000])
    first, second = (r.at for r in kolada.requests if "/data/" in r.path)
    assert second - first >= 0.95


def test_a_timeout_is_retried(kolada, make_client):
    kolada.fault("/data/", "sleep:1.5")
    with make_client(timeout=0.5) as client:
        frame = client.data(["N00945"], ["0180"], [2000])
    assert frame.height == 1
    assert len(kolada.data_paths()) == 2


def test_truncated_json_is_retried_and_never_cached(kolada, make_client):
    kolada.fault("/data/", "truncated")
    with make_client() as client:
        assert client.data(["N00945"], ["0180"], [2000]).height == 1
    kolada.fault("/data/", *["truncated"] * 4)
    with make_client() as client, pytest.raises(rk.KoladaUnavailable, match="not complete JSON"):
        client.data(["N00945"], ["1280"], [2000])


def test_a_next_url_loop_is_stopped(kolada, make_client):
    kolada.fault("/data/", "loop")
    with make_client() as client, pytest.raises(rk.KoladaPagingError, match="came back"):
        client.data(["N00945"], ["0180"], [2000])


def test_an_unknown_kpi_is_named_before_any_data_request(kolada, make_client):
    with make_client() as client, pytest.raises(rk.UnknownKoladaId, match="no KPI 'N99999'"):
        client.data(["N00945", "N99999"], ["0180"], [2000])
    assert kolada.data_paths() == []


def test_one_failing_batch_fails_the_call(kolada, make_client):
    municipalities = [m["id"] for m in MUNICIPALITIES if m["type"] == "K"][:30]
    second_chunk = ",".join(municipalities[25:])
    kolada.fault(second_chunk, *["500"] * 4)
    with make_client() as client, pytest.raises(rk.KoladaUnavailable):
        client.data(["N03702"], municipalities, [2012])


def test_the_cache_answers_what_it_can_and_offline_names_what_it_cannot(kolada, make_client):
    with make_client() as client:
        first = client.data(["N00945"], CITIES, [2000, 2001])
    asked = len(kolada.requests)
    with make_client() as client:
        again = client.data(["N00945"], CITIES, [2000, 2001])
        assert all(f.from_cache for f in client.fetches)
    assert len(kolada.requests) == asked  # no request the cache could answer
    assert again.equals(first)
    with make_client(offline=True) as client:
        assert client.data(["N00945"], CITIES, [2000, 2001]).equals(first)
        with pytest.raises(rk.NotInCache) as missing:
            client.data(["N00945"], CITIES, [2002])
    assert "/data/kpi/N00945/municipality/0180,1280,1480/year/2002" in str(missing.value)
    assert len(kolada.requests) == asked


def test_refresh_fetches_again_and_the_result_says_which_fetch(kolada, make_client):
    with make_client() as client:
        before = client.data(["N00945"], ["0180"], [2000])["value"][0]
    for row in kolada.rows:  # Kolada revises a figure without notice
        if row["kpi"] == "N00945" and row["municipality"] == "0180" and row["period"] == 2000:
            row["values"] = [dict(row["values"][0], value=32.0)]
    with make_client() as client:
        assert client.data(["N00945"], ["0180"], [2000])["value"][0] == before  # cached
        assert "ur cache" in client.provenance()
        changed, unchanged = client.refresh_cache()
    assert changed == 1 and unchanged >= 1
    with make_client(offline=True) as client:
        assert client.data(["N00945"], ["0180"], [2000])["value"][0] == 32.0


def test_requests_name_rfm_and_keep_to_five_a_second(kolada, make_client):
    with make_client() as client:
        client.data(["N00945"], CITIES, [2000])  # metadata into the cache
    kolada.page_size = 10
    kolada.requests.clear()
    sent: list[float] = []
    with make_client(max_per_second=5.0) as client:
        throttle = client._throttle

        def noting() -> None:  # the real limiter; the instant it lets each request go is kept
            throttle()
            sent.append(client._last_request)

        client._throttle = noting  # type: ignore[method-assign]
        client.data(["N00945"], CITIES, list(range(2000, 2021)))  # 7 data pages
    times = [r.at for r in kolada.requests]
    assert len(times) == len(sent) == 7
    # No more than five requests start within any second, as the client sends them (the
    # server's arrival times add the machine's jitter, so they are held to the whole span).
    assert all(b - a >= 1.0 - 1e-6 for a, b in zip(sent, sent[5:], strict=False))
    assert times[-1] - times[0] >= 0.9
    assert all(r.user_agent.startswith("rfm-kolada/") for r in kolada.requests)


def test_a_paging_link_to_another_server_is_refused(kolada, make_client):
    with make_client() as client, pytest.raises(rk.KoladaPagingError, match="points away"):
        client._pages("http://example.invalid/v3/kpi")


def test_the_base_url_comes_from_the_environment(kolada, monkeypatch, tmp_path):
    monkeypatch.setenv("RFM_KOLADA_BASE_URL", kolada.base_url)
    with rk.KoladaClient(cache_dir=tmp_path, max_per_second=50) as client:
        assert client.base_url == kolada.base_url
        assert json.dumps(client.kpis(["N30005"])["title"].to_list(), ensure_ascii=False) == (
            '["Nettokostnad individ- och familjeomsorg, kr/inv"]'
        )


def test_the_kommungrupp_is_found_by_title_and_membership(make_client):
    with make_client() as client:
        assert rk.kommungrupp(client, "0665").id == "G92792"
        assert rk.kommungrupp(client, "2380").title == "Större stad (ovägt medel)"


def test_a_retry_after_beyond_the_cap_stops_at_once_and_says_so(kolada, make_client):
    """A server asking for more than rfm waits is not waited for in silence (nor hammered)."""
    kolada.fault("/data/", "429:30")
    started = time.monotonic()
    with (
        make_client(max_retry_after=0.3) as client,
        pytest.raises(rk.KoladaUnavailable, match=r"asked rfm to wait 30 s .*at most 0\.3 s"),
    ):
        client.data(["N00945"], ["0180"], [2000])
    assert time.monotonic() - started < 2
    assert len(kolada.data_paths()) == 1  # no retry against the server's wish
