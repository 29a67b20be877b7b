"""The Kolada benchmark as a section of rfm's HTML report.

For a tenant with a kommunkod, the section compares the municipality's net cost per inhabitant
with the country and its SKR kommungrupp in the last closed year before the report's first budget
year. It answers from the cache when it can; when Kolada cannot be reached, the section says so
(with the command that fills the cache) rather than leaving the report without it silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

import rfm
from rfm_kolada.benchmark import benchmark
from rfm_kolada.client import KoladaClient
from rfm_kolada.errors import KoladaError

REPORT_SECONDS = 3.0
"""The most a report section waits for Kolada, in all (no retries): a report never hangs on it.
Offline (``rfm report --offline``) it answers from the cache alone."""

BENCHMARK_HEADERS = {
    "sv": (
        "Område",
        "KPI",
        "Kommunen",
        "Riket",
        "Kommungruppen",
        "Index riket",
        "Index grupp",
        "NKA %",
    ),
    "en": (
        "Area",
        "KPI",
        "Municipality",
        "Country",
        "Group",
        "Index country",
        "Index group",
        "NKA %",
    ),
}
TEXT: dict[str, dict[str, Any]] = {
    "sv": {
        "title": "Kostnader jämfört med riket och kommungruppen (Kolada)",
        "lead": "Nettokostnad per invånare {year}: {name} ({code}), riket och {group}. Index = 100 × kommunen ÷ jämförelsen.",
        "failed": "Kolada svarade inte, så jämförelsen saknas. Hämta den till cachen med rfm kolada benchmark {code} --year {year} när nätet finns; rapporten använder sedan cachen.",
        "why": "Orsak",
    },
    "en": {
        "title": "Costs compared with the country and the municipality group (Kolada)",
        "lead": "Net cost per inhabitant {year}: {name} ({code}), the country and {group}. Index = 100 × the municipality ÷ the comparison.",
        "failed": "Kolada did not answer, so the comparison is missing. Fetch it into the cache with rfm kolada benchmark {code} --year {year} when online; the report then uses the cache.",
        "why": "Why",
    },
}


def _cell(value: float | None, decimals: int = 0) -> str:
    return "–" if value is None else rfm.format_number(round(value, decimals))


def kolada_section(result: Any, registry: Any, lang: str) -> Sequence[tuple[str, str, str]]:
    """The report section for ``result`` (an ``rfm.RunResult``), or none without a kommunkod."""
    code = result.tenant.kommunkod
    if not code:
        return []
    t = TEXT.get(lang, TEXT["sv"])
    title = str(t["title"])
    year = min(result.years) - 1
    with KoladaClient(retries=0, timeout=REPORT_SECONDS, deadline=REPORT_SECONDS) as client:
        try:
            found = benchmark(client, code, year)
        except KoladaError as exc:
            message = str(t["failed"]).format(code=code, year=year)
            # The reason is technical (and often a long URL): a detail for whoever fixes it.
            return [
                (
                    "kolada",
                    title,
                    f"<p>{escape(message)}</p><details><summary>{escape(str(t['why']))}</summary>"
                    f"<p class=meta>{escape(str(exc))}</p></details>",
                )
            ]
        provenance = client.provenance()
    head = "".join(
        f"<th{' class=n' if i > 1 else ''}>{escape(h)}</th>"
        for i, h in enumerate(BENCHMARK_HEADERS.get(lang, BENCHMARK_HEADERS["sv"]))
    )
    rows = "".join(
        "<tr>"
        + f"<td>{escape(r.area)}</td><td>{escape(r.kpi)}</td>"
        + "".join(
            f"<td class=n>{escape(v)}</td>"
            for v in (
                _cell(r.municipality),
                _cell(r.riket),
                _cell(r.group),
                _cell(r.index_riket, 1),
                _cell(r.index_group, 1),
                _cell(r.nka, 1),
            )
        )
        + "</tr>"
        for r in found.rows
    )
    lead = str(t["lead"]).format(
        year=year,
        name=found.municipality_title,
        code=code,
        group=f"{found.group.title} ({found.group.id})",
    )
    html = (
        f'<p>{escape(lead)}</p><div class="scroll"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table></div><p class=meta>{escape(provenance)}</p>"
    )
    return [("kolada", title, html)]
