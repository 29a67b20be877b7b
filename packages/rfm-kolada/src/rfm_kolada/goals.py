"""Goals beside money: a committee's quality indicators from Kolada, judged against their targets.

For every indicator of the tenant's ``[goals]`` (``rfm.GoalSet``) this fetches the value for the
municipality, its county (län: Kolada id ``00`` + the first two digits of the kommunkod), the
country (``0000``) and, when a target names it, the SKR kommungrupp, and judges it:

* ``higher`` is better: met when the value ≥ the reference − ``margin``; ``lower``: ≤ + margin;
* ``require = "any"``: met when on par with or better than at least one reference; ``"all"``:
  than every one; a fixed ``{ value = 80 }`` target compares with that number;
* a missing value (the municipality's, or a reference the judgement depends on) is shown as
  missing, and the indicator is "kan inte bedömas", never a pass or a fail;
* an indicator with a ``trend`` ("→ ↑", "→", "↑") is also judged against its own value of the
  year before: "→ ↑" and "→" are met when the value is not worse (within ``margin``), "↑" when
  it is better. Seed 004 writes "→ ↑" under "Målvärde"; its footnote reads them as the target
  above, and they read as a trend aim too, so the trend is a column of its own.

Beside the indicators stands the money of each programområde: its frame and the allocation
models' change (``rfm.build_frame``), or, without a frame build-up, the models' amounts.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

import rfm
from rfm_kolada.benchmark import RIKET, invalid_values, kommungrupp, values
from rfm_kolada.client import Fetch, KoladaClient
from rfm_kolada.errors import KoladaError
from rfm_kolada.report import REPORT_SECONDS

MET, NOT_MET, UNKNOWN = "uppfyllt", "ej uppfyllt", "kan inte bedömas"
PLACE = {"county": "länet", "country": "riket", "kommungrupp": "kommungruppen"}


@attrs.frozen
class Judgement:
    indicator: rfm.Indicator
    value: float | None
    references: dict[str, float | None]
    status: str
    reason: str
    previous: float | None = None
    """The municipality's value of the year before (fetched when the indicator has a trend)."""
    trend_status: str = ""
    trend_reason: str = ""


@attrs.frozen
class ProgramMoney:
    """A programområde's frame and the models' change (exact kr), and the two as ``rfm frame``
    shows them in the report's rounding (steps of :attr:`GoalReport.rounding`)."""

    program: str
    frame: float | None
    change: float | None
    basis: str
    frame_steps: int | None = None
    change_steps: int | None = None


@attrs.frozen
class GoalReport:
    municipality: str
    year: int
    goals: rfm.GoalSet
    judgements: tuple[Judgement, ...]
    money: dict[str, ProgramMoney]
    fetches: tuple[Fetch, ...]
    rounding: rfm.Rounding = attrs.field(factory=rfm.Rounding)
    """The ``--round`` the money is shown in."""

    def records(self) -> list[dict[str, object]]:
        """One record per indicator: the money exact (``ram``, ``modellernas_forandring``) and
        as shown (``ram_<unit>``, ``modellernas_forandring_<unit>``), then the judgement."""
        out: list[dict[str, object]] = []
        unit = self.rounding.unit

        def shown(steps: int | None) -> float | None:
            return None if steps is None else self.rounding.value(steps)

        for j in self.judgements:
            m = self.money.get(j.indicator.program)
            out.append(
                {
                    "programomrade": j.indicator.program,
                    "ram": m.frame if m else None,
                    "modellernas_forandring": m.change if m else None,
                    f"ram_{unit}": shown(m.frame_steps) if m else None,
                    f"modellernas_forandring_{unit}": shown(m.change_steps) if m else None,
                    "mal": list(j.indicator.goals),
                    "indikator": j.indicator.label,
                    "kpi": j.indicator.kpi,
                    "kommunen": j.value,
                    "lanet": j.references.get("county"),
                    "riket": j.references.get("country"),
                    "kommungruppen": j.references.get("kommungrupp"),
                    "malvarde": j.indicator.target_text(),
                    "bedomning": j.status,
                    "motivering": j.reason,
                    "trend": j.indicator.trend or None,
                    "fjolaret": j.previous,
                    "trendbedomning": j.trend_status or None,
                    "trendmotivering": j.trend_reason or None,
                }
            )
        return out


def county_of(municipality: str) -> str:
    """Kolada's id of the municipality's county (län): ``0665`` → ``0006``."""
    return "00" + municipality[:2]


def judge(
    indicator: rfm.Indicator, value: float | None, refs: dict[str, float | None], margin: float
) -> tuple[str, str]:
    """The status of one indicator and why, by its direction, target and ``require``."""
    n = rfm.format_number

    def good(reference: float) -> bool:
        if indicator.direction == "higher":
            return value is not None and value >= reference - margin
        return value is not None and value <= reference + margin

    if value is None:
        return UNKNOWN, "kommunens värde saknas i Kolada"
    if indicator.fixed_value is not None:
        ok = good(indicator.fixed_value)
        return (MET if ok else NOT_MET), f"{n(value)} mot målvärdet {n(indicator.fixed_value)}"
    known = {c: refs[c] for c in indicator.comparisons if refs.get(c) is not None}
    missing = [PLACE[c] for c in indicator.comparisons if refs.get(c) is None]
    parts = [f"{PLACE[c]} {n(v)}" for c, v in known.items() if v is not None]
    text = f"{n(value)} mot " + (", ".join(parts) if parts else "–")
    if missing:
        text += f"; saknas: {', '.join(missing)}"
    oks = [good(v) for v in known.values() if v is not None]
    if indicator.require == "any":
        if any(oks):
            return MET, text
        return (UNKNOWN if missing else NOT_MET), text
    if oks and not all(oks):
        return NOT_MET, text
    return (UNKNOWN if missing or not oks else MET), text


def judge_trend(
    indicator: rfm.Indicator, value: float | None, previous: float | None, margin: float
) -> tuple[str, str]:
    """The trend aim: not worse than the year before ("→ ↑", "→"), or better ("↑")."""
    if not indicator.trend:
        return "", ""
    n = rfm.format_number
    if value is None or previous is None:
        which = "årets" if value is None else "fjolårets"
        return UNKNOWN, f"{which} värde saknas i Kolada"
    sign = 1 if indicator.direction == "higher" else -1
    change = sign * (value - previous)
    ok = change > 0 if indicator.trend == "↑" else change >= -margin
    aim = "bättre än" if indicator.trend == "↑" else "minst lika bra som"
    return (MET if ok else NOT_MET), f"{n(value)} mot {n(previous)} året före ({aim})"


def program_money(
    tenant: rfm.Tenant, registry: rfm.Registry, year: int, rounding: rfm.Rounding | None = None
) -> dict[str, ProgramMoney]:
    """Per programområde: the frame of ``year`` and the models' change, when the tenant has them.

    Shown as ``rfm frame`` shows them with the same ``--round``: the frame is the row's frame
    of the build-up and the change its volymkompensation plus förändrat ersättningsbelopp,
    as rounded there (nested from the year's total frame, :meth:`rfm.FrameBuildUp.rounded`).
    """
    rounding = rounding or rfm.Rounding()
    if tenant.frame is None:
        return {}
    try:
        buildup = rfm.build_frame(tenant, registry, year)
    except rfm.RfmError as exc:  # e.g. no previous frame for that year: say so, keep the goals
        return {
            p: ProgramMoney(p, None, None, f"ingen ramuppbyggnad för {year}: {exc}")
            for p in set(tenant.frame.programs.values())
        }
    money = {}
    steps = buildup.rounded(rounding)  # previous, volume, rate change, …, frame
    for r, shown in zip(buildup.table.iter_rows(named=True), steps, strict=True):
        change = float(r["volume"] + r["rate_change"])
        money[r["program"]] = ProgramMoney(
            r["program"], float(r["frame"]), change, f"rfm frame {tenant.id} --year {year}",
            frame_steps=shown[-1], change_steps=shown[1] + shown[2],
        )  # fmt: skip
    return money


def goal_report(
    client: KoladaClient,
    tenant: rfm.Tenant,
    registry: rfm.Registry,
    year: int,
    rounding: rfm.Rounding | None = None,
) -> GoalReport:
    goals = tenant.goals
    if goals is None:
        raise rfm.ConfigError(f"tenant {tenant.id!r} has no [goals] table")
    if not tenant.kommunkod:
        raise rfm.ConfigError(f"tenant {tenant.id!r} has no kommunkod; goals are fetched for it")
    code = tenant.kommunkod
    places = {"county": county_of(code), "country": RIKET}
    if any("kommungrupp" in i.comparisons for i in goals.indicators):
        places["kommungrupp"] = kommungrupp(client, code).id
    kpis = list(dict.fromkeys(i.kpi for i in goals.indicators))
    frame = client.data(kpis, [code, *places.values()], [year])
    got, invalid = values(frame), invalid_values(frame)
    trended = list(dict.fromkeys(i.kpi for i in goals.indicators if i.trend))
    before = values(client.data(trended, [code], [year - 1])) if trended else {}
    judgements = []
    for indicator in goals.indicators:
        value = got.get((indicator.kpi, code, year))
        refs = {c: got.get((indicator.kpi, where, year)) for c, where in places.items()}
        status, reason = judge(indicator, value, refs, goals.margin)
        notes = [
            f"{'kommunen' if where == code else where}: {invalid[(indicator.kpi, where, year)]}"
            for where in (code, *places.values())
            if (indicator.kpi, where, year) in invalid
        ]
        if notes:  # a value Kolada sent that is no number is missing, and the reason says so
            reason = f"{reason}; {'; '.join(notes)}"
        previous = before.get((indicator.kpi, code, year - 1))
        trend_status, trend_reason = judge_trend(indicator, value, previous, goals.margin)
        judgements.append(
            Judgement(indicator, value, refs, status, reason, previous, trend_status, trend_reason)
        )
    return GoalReport(
        code,
        year,
        goals,
        tuple(judgements),
        program_money(tenant, registry, year, rounding),
        tuple(client.fetches),
        rounding or rfm.Rounding(),
    )


def by_program(report: GoalReport) -> list[tuple[str, list[Judgement]]]:
    programs: dict[str, list[Judgement]] = {}
    for j in report.judgements:
        programs.setdefault(j.indicator.program, []).append(j)
    return list(programs.items())


def cell(value: float | None) -> str:
    return "–" if value is None else rfm.format_number(round(value, 1))


def money_line(money: ProgramMoney | None, year: int, rounding: rfm.Rounding) -> str:
    """``ram 2023: 38 823 415 kr; modellernas förändring -2 776 585 kr`` in ``--round``'s unit
    (the figures of ``rfm frame`` with the same ``--round``)."""
    if money is None or money.frame_steps is None or money.change_steps is None:
        return money.basis if money else "ingen ram i rfm"
    change = money.change_steps
    sign = "+" if change >= 0 else ""
    return (
        f"ram {year}: {rounding.text(money.frame_steps)} {rounding.unit}; modellernas "
        f"förändring {sign}{rounding.text(change)} {rounding.unit}"
    )


def render_text(report: GoalReport) -> str:
    """The goals per programområde, each headed by its money, as ``rfm goals`` prints them."""
    lines = []
    for program, judgements in by_program(report):
        money = money_line(report.money.get(program), report.year, report.rounding)
        lines.append(f"{program} — {money}")
        trend = any(j.indicator.trend for j in judgements)
        rows = [
            [",".join(map(str, j.indicator.goals)), j.indicator.label, j.indicator.kpi, cell(j.value),
             cell(j.references.get("county")), cell(j.references.get("country")), j.status]
            + ([cell(j.previous), f"{j.indicator.trend} {j.trend_status}".strip()] if trend else [])
            for j in judgements
        ]  # fmt: skip
        lines.append(
            rfm.text_table(
                ["Mål", "Indikator", "KPI", "Kommunen", "Länet", "Riket", "Bedömning"]
                + (["Året före", "Trend"] if trend else []),
                rows,
                [False, False, False, True, True, True, False] + ([True, False] if trend else []),
            )
        )
        lines.append("")
    counts = {s: sum(j.status == s for j in report.judgements) for s in (MET, NOT_MET, UNKNOWN)}
    lines.append(
        f"{counts[MET]} uppfyllda, {counts[NOT_MET]} ej uppfyllda, {counts[UNKNOWN]} kan inte bedömas. "
        f"Målvärde: {report.judgements[0].indicator.target_text() if report.judgements else '–'}."
    )
    trended = [j for j in report.judgements if j.indicator.trend]
    if trended:
        t = {s: sum(j.trend_status == s for j in trended) for s in (MET, NOT_MET, UNKNOWN)}
        lines.append(
            f"Trend (→ ↑: inte sämre än året före; ↑: bättre): {t[MET]} uppfyllda, "
            f"{t[NOT_MET]} ej uppfyllda, {t[UNKNOWN]} kan inte bedömas."
        )
    if report.goals.source:
        lines.append(f"Mål och indikatorer: {report.goals.source}")
    return "\n".join(lines)


def goals_section(result: Any, registry: Any, lang: str) -> Sequence[tuple[str, str, str]]:
    """The report section "Mål och resurser" for a tenant with goals (one Kolada attempt)."""
    from html import escape

    tenant = result.tenant
    if tenant.goals is None or not tenant.kommunkod:
        return []
    year = min(result.years) - 1
    title = (
        "Mål och resurser per programområde"
        if lang != "en"
        else "Goals and resources per programme area"
    )
    with KoladaClient(retries=0, timeout=REPORT_SECONDS, deadline=REPORT_SECONDS) as client:
        try:
            report = goal_report(client, tenant, registry, year)
        except rfm.RfmError as exc:
            if not isinstance(exc, KoladaError):
                message = f"Målen kunde inte bedömas för {year}: {exc}"
                return [("goals", title, f"<p>{escape(message)}</p>")]
            message = (
                f"Kolada svarade inte, så målen för {year} kunde inte bedömas. Hämta indikatorerna "
                f"till cachen med rfm goals {tenant.id} --year {year} när nätet finns."
            )
            return [
                (
                    "goals",
                    title,
                    f"<p>{escape(message)}</p><details><summary>Orsak</summary>"
                    f"<p class=meta>{escape(str(exc))}</p></details>",
                )
            ]
        provenance = client.provenance()
    parts = [
        f"<p>Indikatorer {year} (Kolada) bredvid varje programområdes ram och modellernas förändring.</p>"
    ]
    for program, judgements in by_program(report):
        money = money_line(report.money.get(program), year, report.rounding)
        trend = any(j.indicator.trend for j in judgements)
        rows = "".join(
            f"<tr><td>{escape(','.join(map(str, j.indicator.goals)))}</td><td>{escape(j.indicator.label)}</td>"
            f"<td>{escape(j.indicator.kpi)}</td><td class=n>{cell(j.value)}</td>"
            f"<td class=n>{cell(j.references.get('county'))}</td><td class=n>{cell(j.references.get('country'))}</td>"
            f'<td class="status">{escape(j.status)}</td>'
            + (
                f"<td class=n>{cell(j.previous)}</td>"
                f"<td>{escape(f'{j.indicator.trend} {j.trend_status}'.strip())}</td>"
                if trend
                else ""
            )
            + "</tr>"
            for j in judgements
        )
        parts.append(
            f'<h3>{escape(program)}</h3><p>{escape(money)}</p><div class="scroll"><table><thead><tr>'
            "<th>Mål</th><th>Indikator</th><th>KPI</th><th class=n>Kommunen</th><th class=n>Länet</th>"
            "<th class=n>Riket</th><th>Bedömning</th>"
            + ("<th class=n>Året före</th><th>Trend</th>" if trend else "")
            + f"</tr></thead><tbody>{rows}</tbody></table></div>"
        )
    parts.append(f"<p class=meta>{escape(provenance)}</p>")
    return [("goals", title, "".join(parts))]


def write_goal_workbook(report: GoalReport, target: Path, title: str) -> None:
    """The goals beside money as a workbook sheet "Mål och resurser" (written atomically).

    Every text goes through ``write_string`` (a label or a tenant name that begins with ``=`` is
    text, never a formula); amounts are shown in the report's rounding, the figures of
    ``rfm frame``.
    """
    import xlsxwriter

    columns = [
        ("programomrade", "Programområde"), ("ram", "Ram (kr)"), ("modellernas_forandring", "Modellernas förändring (kr)"),
        ("mal", "Mål"), ("indikator", "Indikator"), ("kpi", "KPI"), ("kommunen", "Kommunen"), ("lanet", "Länet"),
        ("riket", "Riket"), ("kommungruppen", "Kommungruppen"), ("malvarde", "Målvärde"), ("bedomning", "Bedömning"),
        ("motivering", "Motivering"), ("fjolaret", "Året före"), ("trend", "Trend"),
        ("trendbedomning", "Trendbedömning"), ("trendmotivering", "Trendmotivering"),
    ]  # fmt: skip
    rounding = report.rounding
    columns[1] = (f"ram_{rounding.unit}", f"Ram ({rounding.unit})")
    columns[2] = (
        f"modellernas_forandring_{rounding.unit}",
        f"Modellernas förändring ({rounding.unit})",
    )
    with rfm.atomic_path(target) as tmp:  # checked target, temporary file, then one rename
        book = xlsxwriter.Workbook(
            str(tmp),
            {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False},
        )
        _fill_goal_workbook(book, report, title, columns, rounding)


def _fill_goal_workbook(
    book: Any, report: GoalReport, title: str, columns: list[tuple[str, str]], rounding: Any
) -> None:
    try:
        sheet = book.add_worksheet("Mål och resurser")
        bold = book.add_format({"bold": True})
        head = book.add_format({"bold": True, "bottom": 1})
        kr = book.add_format({"num_format": rounding.format_code()})
        sheet.write_string(0, 0, title, bold)
        sheet.write_string(
            1, 0, f"Indikatorer {report.year} från Kolada; ram och förändring från rfm frame."
        )
        sheet.write_row(3, 0, [label for _, label in columns], head)
        for i, record in enumerate(report.records(), start=4):
            for j, (key, _) in enumerate(columns):
                value = record[key]
                if isinstance(value, list):
                    value = ",".join(map(str, value))
                if value is None:
                    sheet.write_blank(i, j, None)
                elif isinstance(value, float):
                    if j in (1, 2):  # the money, already in the rounding's unit
                        sheet.write_number(i, j, value, kr)
                    else:
                        sheet.write_number(i, j, value)
                else:
                    sheet.write_string(i, j, str(value))
        sheet.set_column(0, 0, 28)
        sheet.set_column(4, 4, 60)
        sheet.set_column(10, 12, 40)
        sheet.freeze_panes(4, 0)
    finally:
        book.close()
