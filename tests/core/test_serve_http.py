"""rfm serve over HTTP: twenty visitors at once, and what a hostile request gets.

The real server (``rfm serve`` in a subprocess on a free loopback port) and real HTTP clients
(httpx, one cookie jar per visitor); nothing is mocked. Expected amounts are computed by hand
from the tenant's figures (tests/core/serve_helpers.py).
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from tests.core.serve_helpers import (
    HTML_AREA,
    aldreomsorg_by_hand,
    server,
    write_tenant,
)

VISITORS = 20
TOKEN = "t0ken-for-the-tests-0123456789"


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("serve-http")
    write_tenant(folder)
    return folder


@pytest.fixture(scope="module")
def url(folder) -> str:
    with server("--config", str(folder / "tenant.toml"), cwd=folder) as found:
        yield found


def client(url: str, **options) -> httpx.Client:
    return httpx.Client(base_url=url, timeout=60, follow_redirects=True, **options)


def csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, "every form carries the session's token"
    return found.group(1)


def exact(page: str, model: str, recipient: str, year: int) -> Decimal:
    """The exact amount (A) of one row of the what-if table."""
    from html import escape

    row = re.search(
        rf'<tr data-model="{model}" data-recipient="{re.escape(escape(recipient))}" '
        rf'data-year="{year}"[^>]*>.*?<td class="n a" data-exact="([^"]*)"',
        page,
        re.S,
    )
    assert row, (model, recipient, year)
    return Decimal(row.group(1))


def post(c: httpx.Client, token: str, **fields: str) -> httpx.Response:
    return c.post("/t/prov/vad-om", data={"csrf": token, **fields})


def change_90(c: httpx.Client, token: str, rate: int) -> httpx.Response:
    return post(
        c, token, action="change", parameter="aldreomsorg.bands.90+", first="2024",
        last="2024", mode="set", value=str(rate), source="Besökarens förslag",
    )  # fmt: skip


def test_twenty_visitors_at_once_each_keep_their_own_changes(url):
    rates = [400_000 + 1_000 * i for i in range(VISITORS)]
    start = threading.Barrier(VISITORS)
    done = threading.Barrier(VISITORS)
    found: dict[int, list[Decimal]] = {}
    failures: list[str] = []

    def visitor(i: int) -> None:
        try:
            with client(url) as c:
                token = csrf(c.get("/t/prov/vad-om").text)
                start.wait(timeout=60)
                first = change_90(c, token, rates[i])
                assert first.status_code == 200
                seen = [exact(first.text, "aldreomsorg", "Norr", 2024)]
                done.wait(timeout=120)  # every visitor has changed the same parameter now
                again = c.get("/t/prov/vad-om").text
                seen.append(exact(again, "aldreomsorg", "Norr", 2024))
                seen.append(exact(again, "aldreomsorg", "Norr", 2025))  # not changed
                found[i] = seen
        except Exception as exc:  # said in the main thread
            failures.append(f"visitor {i}: {exc!r}")
            start.abort()
            done.abort()

    threads = [threading.Thread(target=visitor, args=(i,)) for i in range(VISITORS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    assert failures == []
    assert len(found) == VISITORS
    for i, (after_post, after_all, year_after) in found.items():
        own = aldreomsorg_by_hand("Norr", 2024, rate_90=rates[i])
        assert after_post == own and after_all == own, i
        assert year_after == aldreomsorg_by_hand("Norr", 2025)
    # and a newcomer sees the decided amounts, none of the twenty's
    with client(url) as c:
        page = c.get("/t/prov/vad-om").text
        assert exact(page, "aldreomsorg", "Norr", 2024) == aldreomsorg_by_hand("Norr", 2024)
        assert "Dina ändringar" not in page


def test_a_post_from_another_origin_changes_nothing(url):
    with client(url) as c:
        token = csrf(c.get("/t/prov/vad-om").text)
        refused = c.post(
            "/t/prov/vad-om",
            data={"csrf": token, "action": "change", "parameter": "ny.total", "first": "2024",
                  "mode": "set", "value": "1"},
            headers={"Origin": "http://evil.example"},
        )  # fmt: skip
        assert refused.status_code == 403
        refused = c.post(
            "/t/prov/vad-om",
            data={"csrf": token, "action": "reset"},
            headers={"Sec-Fetch-Site": "cross-site"},
        )
        assert refused.status_code == 403
        # without the session's token (a form made elsewhere), or with another session's
        assert (
            post(c, "", action="change", parameter="ny.total", first="2024", value="1").status_code
            == 403
        )
        with client(url) as other:
            theirs = csrf(other.get("/t/prov/vad-om").text)
        assert (
            post(
                c, theirs, action="change", parameter="ny.total", first="2024", value="1"
            ).status_code
            == 403
        )
        page = c.get("/t/prov/vad-om").text
        assert "Dina ändringar" not in page
        shared = sum(exact(page, "overgang", a, 2024) for a in ("Norr", "Söder", HTML_AREA))
        assert abs(shared - 100_000_000) < Decimal("0.000001")  # the decided budget, untouched


def test_a_request_naming_another_host_is_refused(url):
    with client(url) as c:
        assert c.get("/t/prov", headers={"Host": "evil.example"}).status_code == 400
        assert c.get("/t/prov").status_code == 200


def test_no_request_reaches_a_file_outside_the_tenants(url, folder):
    with client(url) as c:
        for path in (
            "/t/..%2F..%2Fetc%2Fpasswd",
            "/t/prov/ladda-ner/..%2Ftenant.toml",
            "/t/prov/ladda-ner/tenant.toml",
            "/t/prov/..%2F..%2Fetc/passwd",
            "/t/exempel",  # installed, but not served
            "/t/prov/befolkning.csv",
        ):
            answer = c.get(path)
            assert answer.status_code == 404, path
            assert "Sjöbo" not in answer.text and "root:" not in answer.text
        token = csrf(c.get("/t/prov/vad-om").text)
        assert change_90(c, token, 400_000).status_code == 200
        before = sorted(p.name for p in folder.iterdir())
        for name in (
            "../../evil",
            "..",
            "/tmp/evil",
            "a/b",
            "Stora",
            "x" * 101,
            "standard",
            "snal",
            "",
        ):
            answer = post(c, token, action="save-scenario", name=name)
            assert answer.status_code == 200 and 'id="name-fel"' in answer.text, name
        assert sorted(p.name for p in folder.iterdir()) == before
        assert not (folder.parent / "evil").exists() and not Path("/tmp/evil").exists()


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        ("value", "nan", "value: expected a finite number, found nan"),
        ("value", "1e400", "value: expected a finite number, found inf"),
        ("value", "1e16", "is larger than any municipal figure"),
        ("value", "12,3,4", "value: expected a number, found '12,3,4'"),
        ("first", "99999", "first year: expected a four-digit budget year, found '99999'"),
        ("first", "1800", "first year: 1800 is not a budget year"),
        ("parameter", "finns.inte", "unknown parameter 'finns.inte'"),
        ("parameter", "", "name a parameter"),
    ],
)
def test_bad_values_are_said_beside_their_field(url, field, value, said):
    form = {"parameter": "aldreomsorg.bands.90+", "first": "2024", "mode": "set", "value": "1"}
    form[field] = value
    with client(url) as c:
        token = csrf(c.get("/t/prov/vad-om").text)
        answer = post(c, token, action="change", **form)
        assert answer.status_code == 200
        error = re.search(
            rf'<span class="error" id="{field}-fel" role="alert">([^<]*)</span>', answer.text
        )
        assert error, answer.text[:2000]
        from html import unescape

        assert said in unescape(error.group(1))
        assert f'name="{field}" type="text" value="{value}"' in answer.text  # kept as typed
        assert "Dina ändringar" not in answer.text


def test_a_negative_rate_computes_as_the_cli_computes_it(url):
    """rfm run takes a negative kr per inhabitant in an override (as a deduction); the what-if
    takes it too, with the same amounts, rather than refuse what the tenant file allows."""
    with client(url) as c:
        token = csrf(c.get("/t/prov/vad-om").text)
        answer = post(
            c, token, action="change", parameter="aldreomsorg.bands.90+", first="2024",
            last="2024", mode="set", value="−5",
        )  # fmt: skip
        assert exact(answer.text, "aldreomsorg", "Norr", 2024) == aldreomsorg_by_hand(
            "Norr", 2024, rate_90=-5
        )


def test_huge_forms_and_years_are_refused(url):
    with client(url) as c:
        token = csrf(c.get("/t/prov/vad-om").text)
        big = c.post("/t/prov/vad-om", data={"csrf": token, "action": "reset", "x": "y" * 100_000})
        assert big.status_code == 413
        many = c.post("/t/prov/vad-om", data={"csrf": token, **{f"f{i}": "1" for i in range(200)}})
        assert many.status_code == 400
        years = post(c, token, action="settings", years="1900-2200", base="standard", against="")
        assert 'id="years-fel"' in years.text
        json_body = c.post("/t/prov/vad-om", json={"csrf": token, "action": "reset"})
        assert json_body.status_code == 415


def test_the_saved_run_is_in_the_archive_and_can_be_compared_with(url, folder):
    from rfm.archive import RunArchive

    with client(url) as c:
        token = csrf(c.get("/t/prov/vad-om").text)
        change_90(c, token, 500_000)
        saved = post(c, token, action="save-run", label="Förslag <b>budgetberedning</b>")
        assert "Sparad som körning" in saved.text
        assert "Förslag &lt;b&gt;budgetberedning&lt;/b&gt;" in saved.text
        runs = RunArchive(folder / "rfm-arkiv.sqlite").runs()
        assert [r.label for r in runs][-1] == "Förslag <b>budgetberedning</b>"
        run_id = runs[-1].id
        lineage = RunArchive(folder / "rfm-arkiv.sqlite").lineage(run_id)
        norr = lineage.filter((lineage["recipient"] == "Norr") & (lineage["year"] == 2024))
        assert sum(
            Decimal(str(v)) for v in norr.filter(norr["model"] == "aldreomsorg")["amount"]
        ) == (aldreomsorg_by_hand("Norr", 2024, rate_90=500_000))
        # a new visitor compares the decided scenario with the archived run
        with client(url) as other:
            theirs = csrf(other.get("/t/prov/vad-om").text)
            page = post(other, theirs, action="settings", years="2024-2025", base="standard",
                        against=f"run:{run_id}").text  # fmt: skip
            assert f"körning {run_id}" in page
            row = re.search(
                r'data-model="aldreomsorg" data-recipient="Norr" data-year="2024".*?'
                r'<td class="n b" data-exact="([^"]*)"', page, re.S,
            )  # fmt: skip
            assert Decimal(row.group(1)) == aldreomsorg_by_hand("Norr", 2024, rate_90=500_000)
            # the archived amount links to the archived rows: 40 inhabitants 90+ × 500 000 kr
            link = re.search(
                r'data-model="aldreomsorg" data-recipient="Norr" data-year="2024".*?'
                r'<td class="n b" data-exact="[^"]*"><a href="([^"]+)"', page, re.S,
            )  # fmt: skip
            from html import unescape

            rows = other.get(unescape(link.group(1)))
            assert rows.status_code == 200 and f"Körning {run_id}: Förslag" in unescape(rows.text)
            assert re.search(r"<td>90\+</td><td class=\"n\">40</td>.*?500\xa0000", rows.text)
            assert (
                "Summa: 87\xa0470\xa0000,00 kr" in rows.text
            )  # 1 200 × 21 900 + 300 × 137 300 + 40 × 500 000


def test_downloads_are_the_whatif_on_screen(url):
    with client(url) as c:
        token = csrf(c.get("/t/prov/vad-om").text)
        change_90(c, token, 450_000)
        report = c.get("/t/prov/ladda-ner/rapport.html")
        assert report.status_code == 200 and "attachment" in report.headers["content-disposition"]
        assert "Vad om" in report.text and "<script" not in report.text
        book = c.get("/t/prov/ladda-ner/arbetsbok.xlsx")
        assert book.status_code == 200 and book.content[:2] == b"PK"
        import io

        import openpyxl

        sheets = openpyxl.load_workbook(io.BytesIO(book.content)).sheetnames
        assert len(sheets) >= 2


def test_beyond_loopback_needs_a_token(folder):
    refused = subprocess.run(
        [sys.executable, "-m", "rfm", "serve", "--config", str(folder / "tenant.toml"),
         "--host", "0.0.0.0", "--port", "0"],
        capture_output=True, text=True, timeout=60, env=_without_token(),
    )  # fmt: skip
    assert refused.returncode == 1
    assert "--host 0.0.0.0: listening beyond this computer needs a token" in refused.stderr
    assert "Traceback" not in refused.stderr
    short = subprocess.run(
        [sys.executable, "-m", "rfm", "serve", "--config", str(folder / "tenant.toml"),
         "--host", "0.0.0.0", "--port", "0", "--token", "kort"],
        capture_output=True, text=True, timeout=60, env=_without_token(),
    )  # fmt: skip
    assert short.returncode == 1 and "--token: at least 16 characters" in short.stderr


def _without_token() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k != "RFM_SERVE_TOKEN"}


def test_a_server_with_a_token_answers_only_with_it(folder):
    with server("--config", str(folder / "tenant.toml"), "--token", TOKEN, cwd=folder) as url:
        assert url.endswith(f"?token={TOKEN}")
        base = url.split("?")[0]
        with client(base) as c:
            assert c.get("/t/prov").status_code == 401
            assert c.get("/t/prov?token=wrong-token-0123456789").status_code == 401
            opened = c.get(f"/t/prov?token={TOKEN}")  # sets the cookie, then without the token
            assert opened.status_code == 200 and str(opened.url).endswith("/t/prov")
            assert c.get("/t/prov/vad-om").status_code == 200


def test_markup_typed_into_a_form_comes_back_as_text(url):
    typed = '<script>alert(1)</script>"><b>'
    with client(url) as c:
        token = csrf(c.get("/t/prov/vad-om").text)
        answer = post(
            c, token, action="change", parameter=typed, first="2024", mode="set", value=typed,
            source=typed,
        )  # fmt: skip
        assert "<script>" not in answer.text and '"><b>' not in answer.text
        assert 'value="&lt;script&gt;alert(1)&lt;/script&gt;&#34;&gt;&lt;b&gt;"' in answer.text
        assert "default-src 'none'" in answer.headers["content-security-policy"]
        unknown = post(c, token, action="drop-tables")
        assert "unknown action &#39;drop-tables&#39;" in unknown.text


@pytest.mark.parametrize(
    ("mode", "value", "said"),
    [
        ("percent", "-100", "leaves nothing"),
        ("percent", "1e14", "larger than any municipal figure"),
        ("add", "5 %", "a change in per cent is mode 'percent'"),
    ],
)
def test_changes_that_leave_no_figure_are_refused(url, mode, value, said):
    with client(url) as c:
        token = csrf(c.get("/t/prov/vad-om").text)
        answer = post(
            c, token, action="change", parameter="aldreomsorg.bands.90+", first="2024",
            mode=mode, value=value,
        )  # fmt: skip
        from html import unescape

        error = re.search(r'id="value-fel" role="alert">([^<]*)<', answer.text)
        assert error and said in unescape(error.group(1))
        assert "Dina ändringar" not in answer.text
