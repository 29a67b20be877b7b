"""Cost benchmarks from Kolada: a municipality beside the country and a comparison group, and
the three-step structural comparison auditors make (seed 002, §2.3).

The comparison group is the user's choice (``group``):

* ``"skr"`` (the default): the SKR kommungrupp (2017) the municipality belongs to;
* ``"storlek"``: Kolada's size class that holds it, "Kommuner med 50 000 - 99 999 invånare
  (ovägt medel)" for Östersund, the comparison of seed 002 ("kommuner med en befolkning på
  50 000-99 000 invånare");
* any Kolada group id (``"G30831"``): that group's value, Kolada's unweighted mean;
* a list of kommuner (``"2380,2281,1880"`` or names): rfm's unweighted mean of their values,
  over the members that have a value, and the count of those.

    steg 1 = 100 × nettokostnad(kommun) ÷ nettokostnad(riket)
    steg 2 = 100 × referenskostnad(kommun) ÷ nettokostnad(riket)     (or standardkostnad)
    steg 3 = 100 × (nettokostnad(kommun) ÷ referenskostnad(kommun) − 1)

Steg 1 says how much more or less the municipality spends per inhabitant than the country; steg
2 how much its structure (age, social background, settlement) would justify; steg 3 how far its
cost lies from what its structure motivates. Östersund's IFO 2012: 113, 78 and 44,9.

All kr/inv. A missing value is reported as missing, never as 0; steg fails with a clear error
when one of its three values is missing, because a ratio of a missing number is not a number.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import polars as pl

from rfm_kolada.client import Fetch, KoladaClient, MunicipalityGroup
from rfm_kolada.errors import KoladaError, MissingValue, UnknownKoladaId

RIKET = "0000"


@attrs.frozen
class Area:
    """A verksamhet and its Kolada KPIs (kr/inv unless said)."""

    key: str
    label: str
    net_cost: str
    nka: str | None = None  # nettokostnadsavvikelse, %
    reference_cost: str | None = None
    standard_cost: str | None = None


AREAS: dict[str, Area] = {
    a.key: a
    for a in (
        Area("ifo", "Individ- och familjeomsorg", "N30005", "N30001", "N30007", "N30014"),
        Area("aldreomsorg", "Äldreomsorg", "N20014", "N20900", "N20016", "N21013"),
        Area("lss", "LSS och SFB", "N28016", "N28018", "N28026", "N28017"),
        Area("ekonomiskt_bistand", "Ekonomiskt bistånd", "N31008"),
    )
}
STEG_AREAS = ("ifo", "aldreomsorg", "lss")
GROUP_KINDS = ("skr", "storlek")
SIZE_PREFIX = "Kommuner med "
SIZE_SUFFIX = " invånare (ovägt medel)"
REFERENCES = ("referenskostnad", "standardkostnad")

# SKR's kommungrupper (2017 classification) as Kolada titles them. Group ids are looked up by
# title, since ids may change when SKR revises the classification.
SKR_KOMMUNGRUPPER = (
    "Storstäder (ovägt medel)",
    "Pendlingskommun nära storstad (ovägt medel)",
    "Större stad (ovägt medel)",
    "Pendlingskommun nära större stad (ovägt medel)",
    "Lågpendlingskommun nära större stad (ovägt medel)",
    "Mindre stad/tätort (ovägt medel)",
    "Pendlingskommun nära mindre tätort (ovägt medel)",
    "Landsbygdskommun, ej nära större stad (ovägt medel)",
    "Landsbygdskommun med besöksnäring (ovägt medel)",
)


@attrs.frozen
class ComparisonGroup:
    """The group a municipality is compared with: a Kolada group, or a list of kommuner."""

    id: str
    """Kolada's group id (``G30831``), or ``lista`` for the user's own list."""
    title: str
    kind: str
    """``skr``, ``storlek``, ``kolada`` (a group id given) or ``lista``."""
    members: tuple[tuple[str, str], ...]

    @property
    def computed(self) -> bool:
        """True when rfm computes the mean itself (a list), False when Kolada has a value."""
        return self.kind == "lista"


@attrs.frozen
class BenchmarkRow:
    area: str
    kpi: str
    title: str
    municipality: float | None
    riket: float | None
    group: float | None
    nka_kpi: str | None
    nka: float | None
    group_count: int | None = None
    """For a list of kommuner: how many of them have a value (the mean is over those)."""

    @property
    def index_riket(self) -> float | None:
        """100 × the municipality ÷ the country; None when either is missing."""
        return _index(self.municipality, self.riket)

    @property
    def index_group(self) -> float | None:
        return _index(self.municipality, self.group)


@attrs.frozen
class Benchmark:
    municipality: str
    municipality_title: str
    year: int
    group: ComparisonGroup
    rows: tuple[BenchmarkRow, ...]
    fetches: tuple[Fetch, ...]

    def records(self) -> list[dict[str, object]]:
        """One dict per area with named fields (for csv and json)."""
        return [
            {
                "kommun": self.municipality,
                "ar": self.year,
                "omrade": r.area,
                "kpi": r.kpi,
                "titel": r.title,
                "kommunens_varde": r.municipality,
                "riket": r.riket,
                "kommungrupp": self.group.id,
                "jamforelsegrupp": self.group.title,
                "jamforelsegrupp_typ": self.group.kind,
                "kommungruppens_varde": r.group,
                "kommungruppens_antal_med_varde": r.group_count,
                "index_riket": r.index_riket,
                "index_kommungrupp": r.index_group,
                "nka_kpi": r.nka_kpi,
                "nka_procent": r.nka,
            }
            for r in self.rows
        ]


@attrs.frozen
class Steg:
    municipality: str
    area: str
    year: int
    reference: str
    net_cost_kpi: str
    reference_kpi: str
    net_cost: float
    net_cost_riket: float
    reference_cost: float
    fetches: tuple[Fetch, ...]

    @property
    def steg1(self) -> float:
        return 100 * self.net_cost / self.net_cost_riket

    @property
    def steg2(self) -> float:
        return 100 * self.reference_cost / self.net_cost_riket

    @property
    def steg3(self) -> float:
        return 100 * (self.net_cost / self.reference_cost - 1)

    def record(self) -> dict[str, object]:
        return {
            "kommun": self.municipality,
            "omrade": self.area,
            "ar": self.year,
            "jamforelse": self.reference,
            "nettokostnad_kpi": self.net_cost_kpi,
            "nettokostnad": self.net_cost,
            "nettokostnad_riket": self.net_cost_riket,
            "referens_kpi": self.reference_kpi,
            "referenskostnad": self.reference_cost,
            "steg1": self.steg1,
            "steg2": self.steg2,
            "steg3": self.steg3,
        }


def resolve_municipality(client: KoladaClient, name_or_code: str) -> tuple[str, str]:
    """("0665", "Vaggeryd") from a code or an exact (case-insensitive) name."""
    everyone = client.municipalities()
    by_id = everyone.filter(pl.col("id") == name_or_code)
    if by_id.height == 0:
        by_id = everyone.filter(pl.col("title").str.to_lowercase() == name_or_code.lower())
    if by_id.height != 1:
        raise UnknownKoladaId(f"Kolada has no municipality {name_or_code!r} (give a code: 0665)")
    return str(by_id.item(0, "id")), str(by_id.item(0, "title"))


def kommungrupp(client: KoladaClient, municipality: str) -> MunicipalityGroup:
    """The SKR kommungrupp (2017) the municipality belongs to, found by the groups' titles."""
    found = [
        g
        for g in client.municipality_groups()
        if g.title in SKR_KOMMUNGRUPPER and g.has(municipality)
    ]
    if len(found) != 1:
        raise KoladaError(
            f"found {len(found)} SKR kommungrupper containing {municipality} in Kolada's "
            "municipality_groups; expected exactly one"
        )
    return found[0]


def values(frame: pl.DataFrame) -> dict[tuple[str, str, int], float | None]:
    """(kpi, municipality, year) → the total (gender T) value, None when Kolada has none."""
    total = frame.filter(pl.col("gender") == "T")
    return {
        (k, m, y): v
        for k, m, y, v in total.select("kpi", "municipality", "year", "value").iter_rows()
    }


def size_class(client: KoladaClient, municipality: str) -> MunicipalityGroup:
    """Kolada's size class ("Kommuner med … invånare (ovägt medel)") that holds the municipality."""
    found = [
        g
        for g in client.municipality_groups()
        if g.title.startswith(SIZE_PREFIX) and g.title.endswith(SIZE_SUFFIX) and g.has(municipality)
    ]
    if len(found) != 1:
        raise KoladaError(
            f"found {len(found)} of Kolada's size classes ('{SIZE_PREFIX}… {SIZE_SUFFIX.strip()}') "
            f"containing {municipality}; expected exactly one"
        )
    return found[0]


def comparison_group(
    client: KoladaClient, municipality: str, spec: str | None = None
) -> ComparisonGroup:
    """The group ``spec`` names (see the module docstring) for the municipality code given."""
    spec = (spec or "skr").strip()
    if spec in GROUP_KINDS:
        g = kommungrupp(client, municipality) if spec == "skr" else size_class(client, municipality)
        return ComparisonGroup(g.id, g.title, spec, g.members)
    if spec.upper().startswith("G") and spec[1:].isdigit():
        (g,) = client.municipality_groups([spec.upper()])
        return ComparisonGroup(g.id, g.title, "kolada", g.members)
    parts = [p.strip() for p in spec.split(",") if p.strip()]
    if not parts:
        raise KoladaError(
            "--group: skr, storlek, a Kolada group id (G30831) or a list of kommuner (2380,1880)"
        )
    members = tuple(dict.fromkeys(resolve_municipality(client, p) for p in parts))
    names = ", ".join(title for _, title in members)
    return ComparisonGroup("lista", f"egen grupp: {names} (ovägt medel)", "lista", members)


def _group_values(
    client: KoladaClient, group: ComparisonGroup, kpis: Sequence[str], year: int
) -> dict[str, tuple[float | None, int | None]]:
    """KPI → (the group's value, how many members have one) for ``year``."""
    if not group.computed:
        got = values(client.data(list(kpis), [group.id], [year]))
        return {k: (got.get((k, group.id, year)), None) for k in kpis}
    got = values(client.data(list(kpis), [m for m, _ in group.members], [year]))
    out: dict[str, tuple[float | None, int | None]] = {}
    for k in kpis:
        found = [v for m, _ in group.members if (v := got.get((k, m, year))) is not None]
        out[k] = (sum(found) / len(found) if found else None, len(found))
    return out


def benchmark(
    client: KoladaClient,
    municipality: str,
    year: int,
    areas: Sequence[str] = tuple(AREAS),
    group: str | None = None,
) -> Benchmark:
    """Net cost per inhabitant per area for the municipality, the country and a group."""
    code, title = resolve_municipality(client, municipality)
    chosen_group = comparison_group(client, code, group)
    chosen = [AREAS[a] for a in areas]
    kpis = [a.net_cost for a in chosen] + [a.nka for a in chosen if a.nka]
    titles = dict(client.kpis(kpis).select("id", "title").iter_rows())
    got = values(client.data(kpis, [code, RIKET], [year]))
    by_group = _group_values(client, chosen_group, [a.net_cost for a in chosen], year)
    rows = tuple(
        BenchmarkRow(
            area=a.label,
            kpi=a.net_cost,
            title=str(titles[a.net_cost]),
            municipality=got.get((a.net_cost, code, year)),
            riket=got.get((a.net_cost, RIKET, year)),
            group=by_group[a.net_cost][0],
            nka_kpi=a.nka,
            nka=got.get((a.nka, code, year)) if a.nka else None,
            group_count=by_group[a.net_cost][1],
        )
        for a in chosen
    )
    return Benchmark(code, title, year, chosen_group, rows, tuple(client.fetches))


def steg(
    client: KoladaClient,
    municipality: str,
    area: str,
    year: int,
    reference: str = "referenskostnad",
) -> Steg:
    """Steg 1–3 for one area and year (see the module docstring)."""
    if area not in STEG_AREAS:
        raise KoladaError(f"--area must be one of {', '.join(STEG_AREAS)}, not {area!r}")
    if reference not in REFERENCES:
        raise KoladaError(f"--reference must be one of {', '.join(REFERENCES)}, not {reference!r}")
    code, _ = resolve_municipality(client, municipality)
    a = AREAS[area]
    ref_kpi = a.reference_cost if reference == "referenskostnad" else a.standard_cost
    assert ref_kpi is not None  # every STEG_AREAS area has both
    got = values(client.data([a.net_cost, ref_kpi], [code, RIKET], [year]))
    titles = dict(client.kpis([a.net_cost, ref_kpi]).select("id", "title").iter_rows())

    def need(kpi: str, where: str) -> float:
        value = got.get((kpi, where, year))
        if value is None:
            raise MissingValue(
                f"Kolada has no value for {kpi} ({titles.get(kpi, '?')}) for {where} in {year}; "
                "steg 1–3 need all three values"
            )
        if value == 0 and (kpi, where) in ((a.net_cost, RIKET), (ref_kpi, code)):  # divisors
            raise MissingValue(
                f"Kolada's value for {kpi} ({titles.get(kpi, '?')}) for {where} in {year} is 0; "
                "steg 1–3 divide by it"
            )
        return value

    return Steg(
        code,
        area,
        year,
        reference,
        a.net_cost,
        ref_kpi,
        need(a.net_cost, code),
        need(a.net_cost, RIKET),
        need(ref_kpi, code),
        tuple(client.fetches),
    )


def _index(value: float | None, base: float | None) -> float | None:
    if value is None or base is None or base == 0:
        return None
    return 100 * value / base


def invalid_values(frame: pl.DataFrame) -> dict[tuple[str, str, int], str]:
    """(kpi, municipality, year) → what Kolada sent instead of a number (gender T), if it did.

    The client keeps such a value as missing and says why in ``status`` ("ogiltigt värde …").
    """
    bad = frame.filter(
        (pl.col("gender") == "T") & pl.col("status").str.starts_with("ogiltigt värde")
    )
    return {
        (k, m, y): str(s)
        for k, m, y, s in bad.select("kpi", "municipality", "year", "status").iter_rows()
    }
