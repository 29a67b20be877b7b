"""Names from data never become code in rfm's outputs (issue 18's output escaping).

Hypothesis writes random Unicode names — a tenant name, a model label, a dataset source, a
scenario name and the recipients in the data, each starting with ``=``, ``+``, ``-``, ``@``,
markup, a terminal escape sequence or Markdown — through every output format: the terminal
table, CSV (plain and ``--excel``), JSON, the workbook (run and compare), the HTML report and the
documentation in Markdown and HTML. Then: no CSV cell starts a formula unless it is a real
number, every formula in a workbook is one of rfm's own and holds no name, no HTML element or
attribute comes from a name, the Markdown holds no tag and no link, and no control character
reaches the terminal. One fixed set of the nastiest names also goes through LibreOffice, which
must find only rfm's own formulas.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from rfm.cli import build_cli
from tests.core.test_workbook import libreoffice
from tests.reports.test_live_workbook import OWN_FUNCTIONS

NASTY = [
    "=HYPERLINK(\"http://example.invalid\",\"klicka\")", "=cmd|' /C calc'!A0", "+1+1", "-2+3",
    "@SUM(1)", "\t=1", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
    "\x1b]0;titel\x07", "\x1b[31mröd", "**fet** _kursiv_", "[länk](javascript:alert(1))",
    "# rubrik", "| tabell |", "`kod`", "\u009b31m", "&amp;", "back\\\\slash\\\\1",
]  # fmt: skip
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
TEMPLATE = """
[tenant]
id = "inj"
name = {name}
[data.population]
path = "pop.csv"
schema = "population"
source = {source}
[[models]]
id = "omsorg"
type = "age_bands"
label = {label}
dataset = "population"
source = "KF 2024"
[models.bands]
"0-64" = {{ 2024 = 100 }}
"65+" = {{ 2024 = 1000 }}
[scenarios.standard]
description = "standard"
[scenarios.{scenario}]
description = {label}
[scenarios.{scenario}.overrides]
"omsorg.bands.65+" = {{ unit = "kr/invånare", values = {{ 2024 = {{ value = 1200, source = {source} }} }} }}
"""


def toml_string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    out = []
    for ch in text:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def names() -> st.SearchStrategy[str]:
    """A nasty start and a random Unicode tail (no surrogates, nothing empty)."""
    # No NUL: a data file with one is refused as binary (a clear error, tested elsewhere).
    tail = st.text(st.characters(codec="utf-8", exclude_characters="\n\r\x00"), max_size=8)
    return st.builds(lambda a, b: (a + b).strip() or a, st.sampled_from(NASTY), tail)


def data_names() -> st.SearchStrategy[str]:
    """Names as a data file can hold them: the data refuse control characters (a clear error,
    tests/core/test_adversarial.py) and read every name as NFC without zero-width characters."""
    plain = [n for n in NASTY if not CONTROL.search(n)]
    tail = st.text(
        st.characters(codec="utf-8", exclude_categories=("Cc", "Cf", "Cs", "Zl", "Zp")),
        max_size=8,
    )
    return st.builds(
        lambda a, b: unicodedata.normalize("NFC", (a + b).strip()) or a,
        st.sampled_from(plain),
        tail,
    )


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attrs: set[str] = set()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        for name, value in attrs:
            self.attrs.add(name)
            if name in ("href", "src"):
                self.urls.append(value or "")


HTML_TAGS = {"html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "p",
             "nav", "a", "section", "div", "table", "caption", "thead", "tbody", "tr", "th", "td",
             "svg", "line", "text", "polyline", "circle", "rect", "b", "small", "ul", "li", "pre",
             "details", "summary", "img"}  # fmt: skip
HTML_ATTRS = {"lang", "charset", "name", "content", "href", "id", "class", "viewbox", "role",
              "preserveaspectratio", "aria-label", "style", "x1", "x2", "y1", "y2", "x", "y",
              "text-anchor", "points", "fill", "stroke", "stroke-width", "cx", "cy", "r", "width",
              "height", "src", "alt"}  # fmt: skip


def check_html(text: str) -> None:
    parser = Tags()
    parser.feed(text)
    assert parser.tags <= HTML_TAGS, parser.tags - HTML_TAGS
    assert parser.attrs <= HTML_ATTRS, parser.attrs - HTML_ATTRS
    assert all(u.startswith(("#", "data:image/")) for u in parser.urls), parser.urls
    assert not CONTROL.search(text)


def check_csv(text: str, separator: str) -> None:
    for row in csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=separator):
        for cell in row:
            if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
                float(cell.replace(",", ".") if separator == ";" else cell)  # a real number


def check_workbook(path: Path, forbidden: list[str]) -> None:
    """Every formula is rfm's: its functions, references to the book's own sheets, and no text
    from data (a quoted sheet name is a reference to a sheet rfm named, never code)."""
    book = openpyxl.load_workbook(path)
    sheets = set(book.sheetnames)
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type != "f":
                    continue
                formula = str(c.value)
                for quoted in re.findall(r"'((?:[^']|'')+)'!", formula):
                    assert quoted.replace("''", "'") in sheets, formula
                bare = re.sub(r"'(?:[^']|'')+'!", "SHEET!", formula)
                assert set(re.findall(r"([A-Za-z_][A-Za-z0-9_.]*)\(", bare)) <= OWN_FUNCTIONS, (
                    formula
                )
                assert re.sub(r'""', "", bare).count('"') == 0, formula  # no text in a formula
                assert not any(name in bare for name in forbidden if len(name) > 2), formula


def write_tenant(folder: Path, name: str, label: str, source: str, scenario: str,
                 recipients: list[str]) -> Path:  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["area", "year", "age", "count"])
    for i, r in enumerate(recipients):  # every age written out, as a population must be
        for age in range(100):
            writer.writerow([r, 2024, age, 100 + i if age == 30 else 10 + i if age == 70 else 0])
        writer.writerow([r, 2024, "100+", 0])
    (folder / "pop.csv").write_text(out.getvalue(), encoding="utf-8")
    toml = TEMPLATE.format(
        name=toml_string(name), source=toml_string(source), label=toml_string(label),
        scenario=toml_string(scenario),
    )  # fmt: skip
    path = folder / "t.toml"
    path.write_text(toml, encoding="utf-8")
    return path


def every_output(folder: Path, names_used: list[str], scenario: str) -> Path:
    """Run every output format over the tenant in ``folder``; check each; return the workbook."""
    cli = build_cli()
    config = ["--config", str(folder / "t.toml")]

    def rfm_cli(*args: str) -> str:
        done = CliRunner().invoke(cli, list(args))
        assert done.exit_code == 0, (args, done.output)
        return done.output

    table = rfm_cli("run", *config, "--year", "2024")
    assert not CONTROL.search(table)
    compare = rfm_cli("compare", *config, "--scenario", scenario, "--against", "standard",
                      "--year", "2024")  # fmt: skip
    assert not CONTROL.search(compare)
    check_csv(rfm_cli("run", *config, "--year", "2024", "--format", "csv"), ",")
    check_csv(rfm_cli("run", *config, "--year", "2024", "--format", "csv", "--excel"), ";")
    check_csv(rfm_cli("compare", *config, "--scenario", scenario, "--against", "standard",
                      "--year", "2024", "--format", "csv"), ",")  # fmt: skip
    document = json.loads(rfm_cli("run", *config, "--year", "2024", "--format", "json"))
    assert document["metadata"]["tenant"]["id"] == "inj"
    book = folder / "run.xlsx"
    rfm_cli("run", *config, "--year", "2024", "--format", "xlsx", "--out", str(book))
    check_workbook(book, names_used)
    compared = folder / "compare.xlsx"
    rfm_cli("compare", *config, "--scenario", scenario, "--against", "standard", "--year", "2024",
            "--format", "xlsx", "--out", str(compared))  # fmt: skip
    check_workbook(compared, names_used)
    report = folder / "rapport.html"
    rfm_cli("report", *config, "--year", "2024", "--against", scenario, "--out", str(report))
    check_html(report.read_text(encoding="utf-8"))
    docs = folder / "docs.html"
    rfm_cli("docs", *config, "--format", "html", "--out", str(docs))
    check_html(docs.read_text(encoding="utf-8"))
    markdown = rfm_cli("docs", *config)
    assert "<" not in markdown and not CONTROL.search(markdown)
    assert not re.search(r"(?<!\\)\]\(", markdown)  # no link
    return compared


# A scenario's name is an id (lower-case letters, digits, - and _; checked when the tenant file
# is read), so it cannot carry a formula or markup: the random text goes everywhere else.
SCENARIO = "forslag"


@settings(max_examples=12)
@given(
    name=names(), label=names(), source=names(),
    recipients=st.lists(data_names(), min_size=2, max_size=4, unique_by=lambda s: s.casefold()),
)  # fmt: skip
def test_random_names_come_out_as_data_in_every_format(
    tmp_path_factory, name, label, source, recipients
):
    folder = tmp_path_factory.mktemp("names")
    write_tenant(folder, name, label, source, SCENARIO, recipients)
    every_output(folder, [name, label, source, *recipients], SCENARIO)


def test_a_scenario_named_like_a_formula_is_refused(tmp_path, rfm_cli):
    folder = tmp_path / "scen"
    write_tenant(folder, "Namn", "Etikett", "Källa", "=förslag", ["A", "B"])
    done = rfm_cli("run", "--config", str(next(folder.rglob("*.toml"))), "--year", "2024")
    assert done.exit_code == 1 and "is not a valid name" in done.stderr


def test_libreoffice_finds_only_rfms_formulas_among_the_nastiest_names(tmp_path):
    recipients = [n for n in NASTY if not CONTROL.search(n)][:6]
    folder = tmp_path / "nasty"
    write_tenant(folder, NASTY[0], NASTY[1], NASTY[4], SCENARIO, recipients)
    book = every_output(folder, list(NASTY), SCENARIO)
    opened = libreoffice([book], tmp_path)[0]
    check_workbook(opened, list(NASTY))
    values = openpyxl.load_workbook(opened, data_only=True)["Sammanfattning"]
    shown = {str(c.value) for row in values.iter_rows() for c in row if c.value is not None}
    assert {'=HYPERLINK("http://example.invalid","klicka")', "=cmd|' /C calc'!A0"} & shown


@pytest.mark.parametrize("text", NASTY)
def test_toml_string_round_trips(text):
    import tomllib

    assert tomllib.loads(f"x = {toml_string(text)}")["x"] == text
