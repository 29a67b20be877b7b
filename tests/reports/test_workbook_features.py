"""The workbook's features, read back with openpyxl from the file rfm writes, for every packaged
tenant (Vaggeryd, Stockholm, Östersund and the demo's exempel):

* *Läs mig* says truthfully which model sheets follow a change on *Parametrar*: each row's
  amount cell is followed through its formula's references (named cells, cells and ranges on
  any sheet) until it reaches *Parametrar* or only plain numbers;
* sheet protection (the input cells open, everything else locked), Excel tables with filters,
  frozen headers, repeated print title rows and A4 landscape one page wide, a named cell for
  every dated parameter value, document properties from the tenant, the chart on Sammanfattning.

Expected values come from the tenant and the run (its parameters, lineage, models), not from
the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest
from openpyxl.formula import Tokenizer
from openpyxl.utils.cell import get_column_letter, range_boundaries

import rfm
from rfm.reports.workbook import write_workbook
from tests.core.test_models import BOKSLUT, KEY, NEED

TENANTS = {
    "vaggeryd": [2023, 2024],
    "stockholm": [2006, 2007, 2008],
    "ostersund": [2013],
    "exempel": [2024],
}
SHEETS = {"Läs mig", "Sammanfattning", "Jämförelse", "Ramberäkning", "Parametrar", "Indata",
          "Avrundning"}  # fmt: skip
HEADINGS = {
    "Följer ändringar på Parametrar": "live",
    "Följer delvis ändringar på Parametrar": "partly",
    "Fasta värden ur rfm": "fixed",
}


@pytest.fixture(scope="module")
def books(tmp_path_factory, registry) -> dict[str, tuple[rfm.RunResult, Path]]:
    tmp = tmp_path_factory.mktemp("features")
    made = {}
    for tenant_id, years in TENANTS.items():
        tenant = registry.tenant(tenant_id)
        result = rfm.run(tenant, registry, years)
        frames = [rfm.build_frame(tenant, registry, years[0])] if tenant.frame else []
        path = tmp / f"{tenant_id}.xlsx"
        write_workbook(result, path, frames=frames)
        made[tenant_id] = (result, path)
    return made


# -- Läs mig tells the truth ------------------------------------------------------------------


class Reach:
    """Whether a cell's value follows *Parametrar*: its formula reads a cell there (by a defined
    name or directly), or a cell elsewhere whose formula does, and so on."""

    def __init__(self, book: openpyxl.Workbook) -> None:
        self.book = book
        self.names = {name: list(d.destinations) for name, d in book.defined_names.items()}
        self.seen: dict[tuple[str, str], bool] = {}

    def cell(self, sheet: str, coordinate: str) -> bool:
        key = (sheet, coordinate)
        if key not in self.seen:
            self.seen[key] = False  # a reference cycle reaches nothing new
            value = self.book[sheet][coordinate].value
            if sheet == "Parametrar":
                self.seen[key] = True
            elif isinstance(value, str) and value.startswith("="):
                self.seen[key] = self.formula(sheet, value)
        return self.seen[key]

    def formula(self, sheet: str, text: str) -> bool:
        for token in Tokenizer(text).items:
            if token.type != "OPERAND" or token.subtype != "RANGE":
                continue
            if token.value in self.names:
                targets = [(s, c.replace("$", "")) for s, c in self.names[token.value]]
            else:
                where, _, ref = token.value.rpartition("!")
                target = where.strip("'").replace("''", "'") if where else sheet
                targets = [(target, c) for c in cells_of(ref.replace("$", ""))]
            if any(self.cell(s, c) for s, c in targets):
                return True
        return False


def cells_of(ref: str) -> list[str]:
    low_col, low_row, high_col, high_row = range_boundaries(ref)
    assert None not in (low_col, low_row, high_col, high_row), ref
    return [
        f"{get_column_letter(col)}{row}"
        for row in range(int(low_row), int(high_row) + 1)  # type: ignore[arg-type]
        for col in range(int(low_col), int(high_col) + 1)  # type: ignore[arg-type]
    ]


def readme_groups(book: openpyxl.Workbook) -> dict[str, str]:
    """Läs mig's lists: model label → live, partly or fixed."""
    groups: dict[str, str] = {}
    current = None
    for (text,) in book["Läs mig"].iter_rows(max_col=1, values_only=True):
        if not text:
            current = None
            continue
        heading = next((v for k, v in HEADINGS.items() if str(text).startswith(k)), None)
        if heading:
            current = heading
        elif current and str(text).startswith("– "):
            label = str(text)[2:]
            assert label not in groups, f"{label} is listed twice"
            groups[label] = current
    return groups


def model_rows(sheet: Any) -> list[int]:
    """The rows (1-based) of a model sheet's lineage table: below its header, to the first gap."""
    header = next(r for r in range(1, 20) if sheet.cell(r, 1).value == "Mottagare")
    rows = []
    row = header + 1
    while sheet.cell(row, 1).value not in (None, ""):
        rows.append(row)
        row += 1
    return rows


def judged(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """(what Läs mig says, what the cells show) per model label."""
    book = openpyxl.load_workbook(path)
    reach = Reach(book)
    shown: dict[str, str] = {}
    for sheet in book.worksheets:
        if sheet.title in SHEETS:
            continue
        live = [reach.cell(sheet.title, f"H{r}") for r in model_rows(sheet)]
        assert live, sheet.title
        shown[str(sheet["A1"].value)] = "live" if all(live) else "partly" if any(live) else "fixed"
    return readme_groups(book), shown


@pytest.mark.parametrize("tenant_id", sorted(TENANTS))
def test_las_mig_says_which_sheets_follow_parametrar_as_the_cells_do(books, tenant_id):
    result, path = books[tenant_id]
    said, shown = judged(path)
    labels = {result.tenant.model(m).label for m in set(result.all_lineage["model"].to_list())}
    assert set(shown) == labels  # a sheet per model, titled by its label
    assert said == shown


def test_the_issues_own_example_lss_follows_parametrar(books):
    """Issue 19 named Vaggeryd's LSS rate as a literal: it now follows, and so do its inputs."""
    result, path = books["vaggeryd"]
    said, _ = judged(path)
    lss = {m.label for m in result.tenant.models if m.id in ("lss", "lss_insatser", "lss_fk")}
    assert len(lss) == 3 and all(said[label] == "live" for label in lss)


def test_las_mig_names_a_change_limits_cap_as_partly_live(tenant_file, rfm_registry, tmp_path):
    """A change_limit's model rows follow the key; its cap rows are rfm's numbers."""
    tenant = rfm.load_tenant_file(
        tenant_file(KEY, {"need.csv": NEED, "bokslut.csv": BOKSLUT}), rfm_registry
    )
    result = rfm.run(tenant, rfm_registry, [2006])
    path = tmp_path / "tak.xlsx"
    write_workbook(result, path)
    said, shown = judged(path)
    assert said == shown
    assert said[tenant.model("tak").label] == "partly"
    assert said[tenant.model("ny").label] == "live"


def test_a_false_claim_in_las_mig_is_caught(books, tmp_path):
    """The check above fails when Läs mig calls a sheet of fixed values live (as it once did)."""
    _, path = books["ostersund"]
    book = openpyxl.load_workbook(path)
    sheet = book["Läs mig"]
    for row in sheet.iter_rows(max_col=1):
        if str(row[0].value or "").startswith("Fasta värden ur rfm"):
            row[0].value = "Följer ändringar på Parametrar (räknas om i arbetsboken):"
    lying = tmp_path / "lying.xlsx"
    book.save(lying)
    said, shown = judged(lying)
    assert set(said.values()) == {"live"} and set(shown.values()) == {"fixed"}
    assert said != shown


# -- protection, tables, frozen headers, print titles ----------------------------------------


def dated_values(result: rfm.RunResult) -> list[tuple[str, int, float]]:
    return [
        (key, d.year, float(d.value))
        for key in result.parameters
        for d in result.parameters[key].values
        if d.value is not None
    ]


@pytest.mark.parametrize("tenant_id", sorted(TENANTS))
def test_inputs_are_open_and_everything_else_is_locked(books, tenant_id):
    result, path = books[tenant_id]
    book = openpyxl.load_workbook(path)
    inputs = {(k, y): v for k, y, v in dated_values(result)}
    unlocked: dict[tuple[str, int], float] = {}
    for sheet in book.worksheets:
        assert sheet.protection.sheet, sheet.title
        assert sheet.protection.password is None  # guards against slips, no password
        # Filters and sorting stay usable on a protected sheet.
        assert sheet.protection.autoFilter is False and sheet.protection.sort is False
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is None or cell.protection.locked:
                    continue
                assert sheet.title == "Parametrar" and cell.column == 4, cell.coordinate
                key = sheet.cell(cell.row, 6).value
                year = sheet.cell(cell.row, 3).value
                unlocked[(key, year)] = float(cell.value)
    assert unlocked == inputs


def test_every_model_sheet_is_a_table_with_a_filter_frozen_and_printed_under_its_header(books):
    for tenant_id, (result, path) in books.items():
        book = openpyxl.load_workbook(path)
        counts = dict(result.all_lineage.group_by("model").len().iter_rows())
        by_label = {result.tenant.model(m).label: n for m, n in counts.items()}
        for sheet in book.worksheets:
            if sheet.title in SHEETS:
                continue
            header = next(r for r in range(1, 20) if sheet.cell(r, 1).value == "Mottagare")
            last = header + by_label[str(sheet["A1"].value)]
            (table,) = sheet.tables.values()
            assert table.ref == f"A{header}:I{last}", (tenant_id, sheet.title)
            assert table.autoFilter is not None and table.autoFilter.ref == table.ref
            assert [c.name for c in table.tableColumns][:3] == ["Mottagare", "År", "Komponent"]
            assert sheet.freeze_panes == f"B{header + 1}"
            assert sheet.print_title_rows == f"${header}:${header}"
            assert_a4_landscape_one_page_wide(sheet)


def assert_a4_landscape_one_page_wide(sheet: Any) -> None:
    setup = sheet.page_setup
    assert setup.orientation == "landscape" and int(setup.paperSize) == 9, sheet.title
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert setup.fitToWidth in (None, 1) and int(setup.fitToHeight) == 0  # None: OOXML's 1


@pytest.mark.parametrize("tenant_id", sorted(TENANTS))
def test_parametrar_sammanfattning_and_indata_have_tables_frozen_headers_and_print_titles(
    books, tenant_id
):
    result, path = books[tenant_id]
    book = openpyxl.load_workbook(path)
    rows = {
        # sheet: (the header row, the rows of data under it)
        "Parametrar": (3, sum(len(result.parameters[k].values) for k in result.parameters)),
        "Indata": (1, len(result.datasets)),
    }
    for name, (header, count) in rows.items():
        sheet = book[name]
        (table,) = sheet.tables.values()
        low_col, low_row, high_col, high_row = range_boundaries(table.ref)
        assert (low_row, high_row) == (header, header + count), name
        # Over every column, each headed as on the sheet.
        headers = [sheet.cell(header, c).value for c in range(1, sheet.max_column + 1)]
        assert (low_col, high_col) == (1, len([h for h in headers if h]))
        assert [c.name for c in table.tableColumns] == [h for h in headers if h]
        assert table.autoFilter is not None
        assert sheet.print_title_rows == f"${header}:${header}"
        assert_a4_landscape_one_page_wide(sheet)
    assert book["Parametrar"].freeze_panes == "B4"
    summary = book["Sammanfattning"]
    header = next(r for r in range(1, 20) if summary.cell(r, 1).value == "Modell")
    assert summary.freeze_panes == f"B{header + 1}"
    assert summary.print_title_rows == f"${header}:${header}"
    assert_a4_landscape_one_page_wide(summary)


# -- names, properties, chart -------------------------------------------------------------------


@pytest.mark.parametrize("tenant_id", sorted(TENANTS))
def test_every_parameter_value_has_a_name_on_its_cell(books, tenant_id):
    result, path = books[tenant_id]
    book = openpyxl.load_workbook(path)
    sheet = book["Parametrar"]
    named = {}
    for name, defined in book.defined_names.items():
        ((where, coordinate),) = defined.destinations
        assert where == "Parametrar" and name.startswith("p_"), name
        row = int(coordinate.replace("$", "")[1:])
        assert coordinate.startswith("$D$")
        named[(sheet.cell(row, 6).value, sheet.cell(row, 3).value)] = float(sheet[coordinate].value)
        assert sheet.cell(row, 7).value == name  # the sheet shows the name the formulas use
    assert named == {(k, y): v for k, y, v in dated_values(result)}


@pytest.mark.parametrize("tenant_id", sorted(TENANTS))
def test_document_properties_come_from_the_tenant(books, tenant_id):
    result, path = books[tenant_id]
    tenant = result.tenant
    props = openpyxl.load_workbook(path).properties
    assert props.title == f"Resursfördelning: {tenant.name}"
    assert props.creator == ((tenant.report and tenant.report.name) or tenant.name)
    years = sorted(result.years)
    assert props.subject is not None
    assert props.subject.startswith(f"Scenario {result.scenario.name}, {years[0]}")
    assert str(years[-1]) in props.subject


@pytest.mark.parametrize("tenant_id", sorted(TENANTS))
def test_the_chart_on_sammanfattning_draws_each_model_per_year(books, tenant_id):
    result, path = books[tenant_id]
    sheet = openpyxl.load_workbook(path)["Sammanfattning"]
    (chart,) = sheet._charts
    years = sorted(result.years)
    assert type(chart).__name__ == ("LineChart" if len(years) > 1 else "BarChart")
    reported = set(result.lineage["model"].to_list())
    labels = {result.tenant.model(m).label for m in reported}
    header = next(r for r in range(1, 20) if sheet.cell(r, 1).value == "Modell")
    assert [str(sheet.cell(header, 3 + j).value) for j in range(len(years))] == list(
        map(str, years)
    )
    last = get_column_letter(2 + len(years))
    drawn = set()
    for series in chart.series:
        title = series.tx.strRef.f.replace("$", "")
        assert title.startswith("Sammanfattning!A")
        row = int(title.split("!A")[1])
        drawn.add(sheet.cell(row, 1).value)
        assert on_summary(series.val.numRef.f) == cells_of(f"C{row}:{last}{row}")
        assert on_summary(series.cat.numRef.f) == cells_of(f"C{header}:{last}{header}")
    assert drawn == labels and len(chart.series) == len(labels)


def on_summary(ref: str) -> list[str]:
    """The cells of a chart reference on Sammanfattning (``$C$7`` or ``$C$7:$J$7``)."""
    where, _, cells = ref.partition("!")
    assert where == "Sammanfattning", ref
    return cells_of(cells.replace("$", ""))


def test_sammanfattning_lists_each_reported_model_once_per_year_table(books):
    """The chart's rows are the first table's: one per reported model, in the tenant's labels."""
    result, path = books["vaggeryd"]
    sheet = openpyxl.load_workbook(path)["Sammanfattning"]
    header = next(r for r in range(1, 20) if sheet.cell(r, 1).value == "Modell")
    rows = []
    row = header + 1
    while sheet.cell(row, 1).value != "Summa":
        rows.append(sheet.cell(row, 1).value)
        row += 1
    want = result.lineage.select(pl.col("model").unique())["model"].to_list()
    assert sorted(rows) == sorted(result.tenant.model(m).label for m in want)
