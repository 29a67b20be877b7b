"""Swedish throughout, and one rounding everywhere.

* No English word and no internal id (model ids, model types, schema names, "fixed") in what
  the three packaged tenants' Swedish outputs show a reader: the tables of run, compare, frame
  and runs list, the demo's lines, the HTML report, the documentation (Markdown and HTML) and
  the workbook's Läs mig and Sammanfattning.
* The same run with ``--round tkr`` shows the same figures in the table, the CSV, the JSON, the
  workbook and the HTML report (and they add up as a decision needs: recipients to their
  model, models to the year).
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import fastexcel
import polars as pl
import pytest

import rfm
from tests.core.test_workbook import summary_figures

TENANTS = {
    "vaggeryd": ["--years", "2023-2030"],
    "stockholm": ["--years", "2006-2008"],
    "ostersund": ["--year", "2013"],
}
AGAINST = {"vaggeryd": "modell-2022", "stockholm": "gammal-modell", "ostersund": "lov"}
ENGLISH = [
    r"\bfixed\b", r"\bcurrent prices\b", r"\bTenant\b", r"Tenant-id", r"Modelltyp", r"\bschema\b",
    r"\bLineage\b", r"\bExplain\b", r"\bdata year\b", r"\bareas to recipients\b", r"\bmean of\b",
    r"\bwithout\b", r"\bTotal\b", r"\bAmount\b", r"\bRecipient\b", r"\bModel\b", r"\bYear\b",
    r"\bSources\b", r"\bNone\b", r"\bnan\b", r"\brows\b", r"\bWarning\b", r"\bError\b",
]  # fmt: skip
TYPES = ["age_bands", "distribution_key", "per_capita_standard_cost", "base_year_rate",
         "price_tags", "lss_standard_cost", "blend", "change_limit", "occupied_days",
         "points_allocation", "care_hour_levels"]  # fmt: skip


class Visible(HTMLParser):
    """The text a reader sees: no tags, no <details> (the technical reason folded away)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.hidden += tag in ("details", "style", "title")

    def handle_endtag(self, tag: str) -> None:
        self.hidden -= tag in ("details", "style", "title")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = Visible()
    parser.feed(html)
    return " ".join(parser.parts)


def banned(registry: rfm.Registry, tenant: rfm.Tenant) -> list[str]:
    ids = [rf"\b{re.escape(m.id)}\b" for m in tenant.models if "_" in m.id]
    schemas = [rf"\b{re.escape(s)}\b" for s in registry.schemas if "_" in s]
    return [*ENGLISH, *(rf"\b{t}\b" for t in TYPES), *ids, *schemas]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory, registry) -> dict[str, dict[str, str]]:
    from click.testing import CliRunner

    from rfm.cli import build_cli

    cli = build_cli()
    tmp = tmp_path_factory.mktemp("swedish")

    def rfm_cli(*args: str) -> str:
        done = CliRunner().invoke(cli, list(args))
        assert done.exit_code == 0, (args, done.output)
        return done.output

    found: dict[str, dict[str, str]] = {}
    for tenant, years in TENANTS.items():
        texts: dict[str, str] = {}
        texts["run"] = rfm_cli("run", tenant, *years)
        texts["compare"] = rfm_cli("compare", tenant, "--scenario", "standard", "--against",
                                   AGAINST[tenant], *years)  # fmt: skip
        report, docs = tmp / f"{tenant}.html", tmp / f"{tenant}-docs.html"
        rfm_cli("report", tenant, *years, "--against", AGAINST[tenant], "--out", str(report))
        texts["report"] = visible(report.read_text(encoding="utf-8"))
        rfm_cli("docs", tenant, "--format", "html", "--out", str(docs))
        texts["docs html"] = visible(docs.read_text(encoding="utf-8"))
        texts["docs md"] = rfm_cli("docs", tenant)
        book = tmp / f"{tenant}.xlsx"
        rfm_cli("run", tenant, *years, "--format", "xlsx", "--out", str(book))
        reader = fastexcel.read_excel(str(book))
        for name in ("Läs mig", "Sammanfattning"):
            frame = reader.load_sheet(name, header_row=None).to_polars()
            texts[f"xlsx {name}"] = " ".join(
                str(v) for row in frame.iter_rows() for v in row if isinstance(v, str)
            )
        if tenant == "vaggeryd":
            texts["frame"] = rfm_cli("frame", tenant, "--year", "2023")
            archive = tmp / "arkiv.sqlite"
            rfm_cli("run", tenant, "--year", "2023", "--save", "--archive", str(archive))
            texts["runs list"] = rfm_cli("runs", "list", tenant, "--archive", str(archive))
        found[tenant] = texts
    found["demo"] = {"demo": rfm_cli("demo", "--out", str(tmp / "demo"))}
    return found


def test_no_english_word_or_internal_id_in_the_swedish_outputs(outputs, registry):
    problems = []
    for tenant, texts in outputs.items():
        patterns = banned(registry, registry.tenant(tenant if tenant != "demo" else "exempel"))
        for what, text in texts.items():
            for pattern in patterns:
                for match in re.finditer(pattern, text):
                    if re.match(r"\.(csv|json|xlsx|parquet)\b", text[match.end() :]):
                        continue  # a file's name is the user's own, not an internal id
                    start = max(0, match.start() - 40)
                    problems.append(f"{tenant} {what}: {text[start : match.end() + 40]!r}")
    assert problems == [], "\n".join(problems)


def test_the_same_figures_with_round_tkr_in_table_csv_json_xlsx_and_html(registry, tmp_path):
    from click.testing import CliRunner

    from rfm.cli import build_cli

    cli = build_cli()
    tenant, years = "stockholm", ["--years", "2006-2008"]
    labels = {m.id: m.label for m in registry.tenant(tenant).models}

    def rfm_cli(*args: str) -> str:
        done = CliRunner().invoke(cli, [*args, "--round", "tkr"])
        assert done.exit_code == 0, done.output
        return done.output

    # The table: label, recipient, year, figure (the label may hold spaces: split from the right).
    table: dict[tuple[str, str, int], float] = {}
    for line in rfm_cli("run", tenant, *years).splitlines()[4:]:
        match = re.fullmatch(r"(.+?)\s{2,}(.+?)\s{2,}(\d{4})\s{2,}(-?[\d ]+)", line.strip())
        assert match, line
        label, recipient, year, figure = match.groups()
        table[(label, recipient, int(year))] = float(figure.replace(" ", ""))
    recipients = {k: v for k, v in table.items() if k[1] != "Summa"}
    model_sums = {(k[0], k[2]): v for k, v in table.items() if k[1] == "Summa"}

    def per_recipient(rows: list[dict[str, object]]) -> dict[tuple[str, str, int], float]:
        out: dict[tuple[str, str, int], float] = {}
        for r in rows:
            key = (labels[str(r["model"])], str(r["recipient"]), int(str(r["year"])))
            out[key] = out.get(key, 0.0) + float(str(r["amount_tkr"]))
        return out

    csv = pl.read_csv(rfm_cli("run", tenant, *years, "--format", "csv").encode())
    assert per_recipient(csv.to_dicts()) == recipients
    document = json.loads(rfm_cli("run", tenant, *years, "--format", "json"))
    assert document["metadata"]["rounding"] == {
        "unit": "tkr", "decimals": 0, "method": document["metadata"]["rounding"]["method"]
    }  # fmt: skip
    assert per_recipient(document["rows"]) == recipients

    book = tmp_path / "t.xlsx"
    rfm_cli("run", tenant, *years, "--format", "xlsx", "--out", str(book))
    models, totals, in_book = summary_figures(book)
    assert in_book == recipients
    assert models == model_sums

    report = tmp_path / "t.html"
    rfm_cli("report", tenant, *years, "--out", str(report))
    html = report.read_text(encoding="utf-8")
    money = html.split('id="money"')[1].split("</table>")[0]
    cells = re.findall(r"<tr[^>]*>(.*?)</tr>", money)[1:]
    for row in cells:
        values = re.findall(r"<td[^>]*>(.*?)</td>", row)
        label, figures = values[0], values[1:]
        for year, figure in zip((2006, 2007, 2008), figures, strict=True):
            number = float(figure.replace("\u00a0", "").replace(" ", ""))
            if label == "Summa":
                assert number == totals[year]
            else:
                assert number == model_sums[(label, year)]
    assert sum(recipients.values()) == sum(totals.values())
