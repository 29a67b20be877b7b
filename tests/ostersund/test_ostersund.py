"""Östersund: paid days, LSS points, hemtjänst levels, settlement and the budget follow-up."""

from __future__ import annotations

import collections
import csv
import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rfm
from rfm_ostersund.days import OCCUPIED, VACANT, paid_days
from rfm_ostersund.levels import bands_from

PLUGIN = Path(__file__).resolve().parents[2] / "packages" / "rfm-plugins-ostersund"
TENANT_DIR = PLUGIN / "src" / "rfm_ostersund" / "tenant"
UNITS = (
    "unit,kind,places,staffing,hourly_rate,contract_rate\n"
    "Litet,särskilt_boende,16,,,\nStort,särskilt_boende,20,,,\n"
    "Hemtjänst A,hemtjanst,,,400,\nLSS A,lss_bostad,5,vaknatt,,\n"
)


def variant(tenant_file, files: dict[str, str]) -> Path:
    """The packaged tenant with its unit data replaced (``extends = "ostersund"``)."""
    schemas = {
        "units": "units",
        "stays": "stays",
        "care_hours": "care_hours",
        "resident_points": "resident_points",
    }
    toml = '[tenant]\nid = "ost-test"\nextends = "ostersund"\n' + "".join(
        f'[data.{name}]\npath = "{name}.csv"\nschema = "{schemas[name]}"\n' for name in files
    )
    return tenant_file(toml, {f"{name}.csv": text for name, text in files.items()})


def lineage(path: Path, registry, model: str, year: int = 2013) -> pl.DataFrame:
    tenant = rfm.load_tenant_file(path, registry)
    result = rfm.run(tenant, registry, [year], models=[model])
    return result.lineage


# -- särskilt boende: paid days --------------------------------------------------------------------

STAYS = (
    "unit,place,person,from_date,to_date\n"
    "Litet,1,A,2013-03-10,2013-03-20\n"  # moves in, leaves; the place is empty 21, 22, 23 March
    "Litet,1,B,2013-03-24,\n"  # the next resident, still there at the year's end
)


def test_a_stay_is_paid_to_the_day_the_rules_give(tenant_file, rfm_registry):
    stays = pl.read_csv(STAYS.encode(), schema_overrides={"place": pl.String}).with_columns(
        pl.col("from_date", "to_date").str.to_date()
    )
    days = paid_days(stays, vacancy_days=2, period_end=dt.date(2013, 12, 31))
    a = days.filter(pl.col("person") == "A")
    assert a.filter(pl.col("kind") == OCCUPIED)["date"].to_list() == [
        dt.date(2013, 3, d) for d in range(10, 21)
    ]  # 10–20 March: 11 belagda dygn, the day of moving out included
    assert a.filter(pl.col("kind") == VACANT)["date"].to_list() == [
        dt.date(2013, 3, 21),
        dt.date(2013, 3, 22),
    ]  # two more days, then the payment stops: 23 March is not paid
    assert dt.date(2013, 3, 23) not in days["date"].to_list()
    b = days.filter(pl.col("person") == "B")
    assert b["date"].min() == dt.date(2013, 3, 24) and b.height == 283
    # Through the engine: 11 + 283 occupied and 2 empty days at the small unit's rate.
    rows = lineage(
        variant(tenant_file, {"units": UNITS, "stays": STAYS}), rfm_registry, "sarskilt_boende"
    )
    got = {r["component"]: r for r in rows.iter_rows(named=True)}
    assert got[OCCUPIED]["volume"] == 294 and got[VACANT]["volume"] == 2
    tenant = rfm_registry.tenant("ostersund")
    small = tenant.parameters["sarskilt_boende.small_unit_day_rate"].at(2013).value
    assert got[OCCUPIED]["rate"] == small
    assert float(rows["amount"].sum()) == 296 * small
    assert "16 platser < 20" in got[OCCUPIED]["basis"]


def test_the_vacancy_tail_stops_when_someone_moves_in_and_at_the_period_end():
    stays = pl.DataFrame(
        {
            "unit": ["U", "U", "U"],
            "place": ["1", "1", "1"],
            "person": ["A", "B", "C"],
            "from_date": [dt.date(2013, 1, 1), dt.date(2013, 1, 12), dt.date(2013, 12, 1)],
            "to_date": [dt.date(2013, 1, 10), dt.date(2013, 11, 29), dt.date(2013, 12, 30)],
        }
    )
    days = paid_days(stays, 2, dt.date(2013, 12, 31))
    vacant = days.filter(pl.col("kind") == VACANT)
    # A: 11 Jan only (B moves in on the 12th); B: 30 Nov only; C: 31 Dec only (period end).
    assert vacant["date"].to_list() == [
        dt.date(2013, 1, 11),
        dt.date(2013, 11, 30),
        dt.date(2013, 12, 31),
    ]
    assert days["date"].n_unique() == days.height  # no day is paid twice for the place


def test_units_under_20_places_get_the_higher_rate(tenant_file, rfm_registry):
    stays = "unit,place,person,from_date,to_date\nLitet,1,A,2013-01-01,2013-01-10\nStort,1,B,2013-01-01,2013-01-10\n"
    rows = lineage(
        variant(tenant_file, {"units": UNITS, "stays": stays}), rfm_registry, "sarskilt_boende"
    )
    rate = dict(
        rows.filter(pl.col("component") == OCCUPIED).select("recipient", "rate").iter_rows()
    )
    tenant = rfm_registry.tenant("ostersund")
    assert rate["Litet"] == tenant.parameters["sarskilt_boende.small_unit_day_rate"].at(2013).value
    assert rate["Stort"] == tenant.parameters["sarskilt_boende.day_rate"].at(2013).value
    assert rate["Litet"] > rate["Stort"]


def test_bad_stays_are_named_with_their_rows(tenant_file, rfm_registry, rfm_cli):
    overlapping = (
        "unit,place,person,from_date,to_date\n"
        "Litet,1,A,2013-01-01,2013-02-01\nStort,2,A,2013-01-20,2013-03-01\n"  # one person, two places
        "Stort,3,C,2013-05-01,2013-04-01\n"  # ends before it starts
        "Okänt,1,D,2013-01-01,2013-01-05\n"
    )
    tenant = rfm.load_tenant_file(
        variant(tenant_file, {"units": UNITS, "stays": overlapping}), rfm_registry
    )
    with pytest.raises(rfm.InputError) as caught:
        rfm.run(tenant, rfm_registry, [2013], models=["sarskilt_boende"])
    text = str(caught.value)
    assert "row 2" in text and "row 3" in text and "one person has one stay at a time" in text
    assert "row 4" in text and "ends on or after the day it starts" in text
    unknown = "unit,place,person,from_date,to_date\nLitet,1,A,2013-01-01,2013-01-05\nOkänt,1,D,2013-01-01,2013-01-05\n"
    tenant = rfm.load_tenant_file(
        variant(tenant_file, {"units": UNITS, "stays": unknown}), rfm_registry
    )
    with pytest.raises(rfm.ModelError, match=r"row 3: unit 'Okänt' is not a unit"):
        rfm.run(tenant, rfm_registry, [2013], models=["sarskilt_boende"])


def test_the_settlement_pays_exactly_what_was_earned(rfm_registry):
    from rfm_ostersund.models import OccupiedDays
    from rfm_ostersund.settlement import statement

    tenant = rfm_registry.tenant("ostersund")
    model = tenant.model("sarskilt_boende")
    assert isinstance(model, OccupiedDays)
    frame = statement(model, rfm.compute_context(tenant, rfm_registry), 2013)
    amounts = rfm.run(tenant, rfm_registry, [2013], models=["sarskilt_boende"]).totals(
        ["recipient"]
    )
    for unit, part in frame.group_by("unit"):
        acconto, settled, earned = (part[c].sum() for c in ("acconto", "settlement", "earned"))
        assert round(acconto + settled, 2) == round(earned, 2)
        december = part.filter(pl.col("month") == 12)["settlement"][0]
        assert round(part["paid_in_month"].sum() + december, 2) == round(earned, 2)
        engine = float(amounts.filter(pl.col("recipient") == unit[0])["amount"][0])
        assert earned == pytest.approx(engine)


# -- hemtjänst levels ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("boundary", "hours", "level"),
    [
        ("lower", 1, "nivå 1"), ("lower", 25, "nivå 1"), ("lower", 25.5, "nivå 2"),
        ("lower", 75, "nivå 2"), ("lower", 75.5, "nivå 3"), ("lower", 225, "nivå 3"),
        ("upper", 1, "nivå 1"), ("upper", 24.5, "nivå 1"), ("upper", 25, "nivå 2"),
        ("upper", 75, "nivå 3"), ("upper", 225, "nivå 3"),
        ("lower", 0.5, None), ("upper", 225.5, None),
    ],
)  # fmt: skip
def test_the_boundary_rule_decides_the_shared_end_points(boundary, hours, level):
    bands = bands_from([("nivå 1", 1, 25), ("nivå 2", 25, 75), ("nivå 3", 75, 225)], boundary)
    got = pl.select(bands.level(pl.lit(hours, pl.Float64))).item()
    assert got == level


def hours_file(rows: list[tuple[str, int, float]]) -> str:
    return "unit,person,year,month,assessed_hours,performed_hours\n" + "".join(
        f"Hemtjänst A,{p},2013,{m},{h},{h}\n" for p, m, h in rows
    )


def test_one_hour_across_a_boundary_changes_the_level(tenant_file, rfm_registry):
    below = lineage(
        variant(tenant_file, {"units": UNITS, "care_hours": hours_file([("X", 1, 25)])}),
        rfm_registry,
        "hemtjanst",
    )
    above = lineage(
        variant(tenant_file, {"units": UNITS, "care_hours": hours_file([("X", 1, 26)])}),
        rfm_registry,
        "hemtjanst",
    )
    assert below["component"].to_list() == ["nivå 1"]  # 25 h: the lower band (boundary = "lower")
    assert above["component"].to_list() == ["nivå 2"]
    tenant = rfm_registry.tenant("ostersund")
    schablon = {
        n: tenant.parameters[f"hemtjanst.level_hours.{n}"].at(2013).value
        for n in ("nivå 1", "nivå 2")
    }
    assert float(below["amount"].sum()) == schablon["nivå 1"] * 400
    assert float(above["amount"].sum()) == schablon["nivå 2"] * 400


def test_hours_outside_every_level_are_an_error(tenant_file, rfm_registry):
    path = variant(
        tenant_file, {"units": UNITS, "care_hours": hours_file([("X", 1, 10), ("Y", 2, 230)])}
    )
    with pytest.raises(
        rfm.ModelError, match=r"row 3: Y at Hemtjänst A 2013-02 has 230 h, outside every level"
    ):
        lineage(path, rfm_registry, "hemtjanst")
    negative = hours_file([("X", 1, -3)])
    tenant = rfm.load_tenant_file(
        variant(tenant_file, {"units": UNITS, "care_hours": negative}), rfm_registry
    )
    with pytest.raises(rfm.InputError, match="row 2, column 'assessed_hours'"):
        rfm.run(tenant, rfm_registry, [2013], models=["hemtjanst"])


@settings(max_examples=25)
@given(
    st.lists(st.floats(1, 200, allow_nan=False), min_size=1, max_size=6),
    st.integers(0, 5),
    st.floats(0, 25, allow_nan=False),
)
def test_more_hours_never_give_less_money(tenant_file, rfm_registry, hours, which, extra):
    which = which % len(hours)
    raised = [h + extra if i == which else h for i, h in enumerate(hours)]

    def money(values: list[float]) -> float:
        rows = [(f"P{i}", 1, round(h, 2)) for i, h in enumerate(values)]
        path = variant(tenant_file, {"units": UNITS, "care_hours": hours_file(rows)})
        return float(lineage(path, rfm_registry, "hemtjanst")["amount"].sum())

    assert money(raised) >= money(hours)


# Östersund's hemtjänst as the audit states it (seed 002 §2.2.2): "nivå 1 1–25 h, nivå 2 25–75 h,
# nivå 3 75–225 h", a value on a shared end point in the lower level (the tenant's boundary =
# "lower"); the schablon hours per level (ostersund.toml) and each unit's hourly rate
# (enheter.csv), written out here.
SCHABLON_HOURS = {"nivå 1": 13.5, "nivå 2": 42.0, "nivå 3": 124.0}
HOURLY_RATE = {
    "Hemtjänst Centrum": 440, "Hemtjänst Brunflo": 460, "Hemtjänst Lit": 480,
    "Hemtjänst Extern": 400,
}  # fmt: skip


def _level_by_hand(hours: float) -> str:
    if 1 <= hours <= 25:
        return "nivå 1"
    if 25 < hours <= 75:
        return "nivå 2"
    if 75 < hours <= 225:
        return "nivå 3"
    raise AssertionError(f"{hours} h is outside every level")


def test_hemtjanst_amounts_are_unchanged_by_the_cores_classification(rfm_registry):
    """Before and after ``care_hour_levels`` became the core's classification (``rfm.Levels``,
    issue 17): the same person-months in each level and the same amounts per unit.

    The expected amounts are derived here without rfm: each person-month of omvardnadstimmar.csv
    is classified by the rule above (plain comparisons, as the old ``Bands`` did: 201 rows at
    exactly 25 h and 25 at exactly 75 h test the shared end points), then Σ person-months ×
    schablon hours × the unit's hourly rate. The written-out totals are what the plugin gave on
    these data before the change (its old ``Bands`` classify every row the same)."""
    tenant = rfm_registry.tenant("ostersund")
    for level, hours in SCHABLON_HOURS.items():  # the tenant still has the figures used here
        assert tenant.parameters[f"hemtjanst.level_hours.{level}"].at(2013).value == hours
    with (TENANT_DIR / "enheter.csv").open(encoding="utf-8") as f:
        rates = {r["unit"]: float(r["hourly_rate"]) for r in csv.DictReader(f) if r["hourly_rate"]}
    assert rates == HOURLY_RATE

    person_months: collections.Counter[tuple[str, str]] = collections.Counter()
    on_boundary = collections.Counter()
    with (TENANT_DIR / "omvardnadstimmar.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            assert r["year"] == "2013"
            hours = float(r["assessed_hours"])
            person_months[(r["unit"], _level_by_hand(hours))] += 1
            if hours in (25.0, 75.0):
                on_boundary[(hours, _level_by_hand(hours))] += 1
    assert on_boundary == {(25.0, "nivå 1"): 201, (75.0, "nivå 2"): 25}
    expected = collections.Counter[str]()
    for (unit, level), n in person_months.items():
        expected[unit] += n * SCHABLON_HOURS[level] * HOURLY_RATE[unit]
    assert expected == {
        "Hemtjänst Centrum": 128_031_420, "Hemtjänst Brunflo": 88_934_330,
        "Hemtjänst Lit": 58_721_520, "Hemtjänst Extern": 85_884_400,
    }  # fmt: skip
    assert sum(expected.values()) == 361_571_670

    result = rfm.run(tenant, rfm_registry, [2013], models=["hemtjanst"]).lineage
    got_months = {
        (r["recipient"], r["component"]): r["volume"] / SCHABLON_HOURS[r["component"]]
        for r in result.iter_rows(named=True)
    }
    assert got_months == {k: float(n) for k, n in person_months.items()}
    amounts = {
        u: float(a) for u, a in result.group_by("recipient").agg(pl.col("amount").sum()).iter_rows()
    }
    assert amounts == expected


def test_lov_pays_performed_hours(rfm_registry):
    tenant = rfm_registry.tenant("ostersund")
    result = rfm.run(tenant, rfm_registry, [2013], scenario="lov")
    lov = result.lineage.filter(pl.col("model") == "hemtjanst_lov")
    hours = pl.read_csv(TENANT_DIR / "omvardnadstimmar.csv")
    rate = tenant.parameters["hemtjanst_lov.lov_rate"].at(2013).value
    assert float(lov["amount"].sum()) == pytest.approx(hours["performed_hours"].sum() * rate)


# -- LSS bostäder ----------------------------------------------------------------------------------


def test_lss_points_and_the_change_against_the_old_frames(rfm_cli, rfm_registry):
    """Each unit: grundersättning + Σ points × point value, against its 2012 frame, worked out
    from the CSV files. The 2012 frames are constructed from the audit's −7,5 mnkr (their
    source says so); the total change is therefore an input of the data, not tested here as a
    result of the model."""
    out = rfm_cli("ostersund", "lss-jamforelse", "--year", "2013", "--format", "json")
    assert out.exit_code == 0, out.output
    import json

    rows = {r["recipient"]: r for r in json.loads(out.output)}
    points = dict(
        pl.read_csv(TENANT_DIR / "poang.csv")
        .group_by("unit")
        .agg(pl.col("points").sum())
        .iter_rows()
    )
    units = pl.read_csv(TENANT_DIR / "enheter.csv").filter(pl.col("kind") == "lss_bostad")
    staffing = dict(units.select("unit", "staffing").iter_rows())
    frames = dict(
        pl.read_csv(TENANT_DIR / "lss_ramar_2012.csv").select("recipient", "amount").iter_rows()
    )
    base = {"dagtackning": 1_500_000, "vaknatt": 2_250_000}  # ostersund.toml
    assert set(rows) == set(staffing) == set(frames)
    for unit, r in rows.items():
        model = base[staffing[unit]] + points[unit] * 10_802
        assert r["model"] == model
        assert r["frame"] == frames[unit]
        assert r["change"] == model - frames[unit]
    assert any(r["change"] > 0 for r in rows.values()) and any(
        r["change"] < 0 for r in rows.values()
    )
    source = rfm_registry.tenant("ostersund").datasets["lss_ramar"].source
    assert source.startswith("KONSTRUERAT") and "7,5 mnkr" in source


def test_points_out_of_range_are_named(tenant_file, rfm_registry):
    points = "unit,person,year,points\nLSS A,L1,2013,40\nLSS A,L2,2013,140\n"
    with pytest.raises(
        rfm.ModelError, match=r"row 3: L2 at LSS A has 140 points; the scale is 0–100"
    ):
        lineage(
            variant(tenant_file, {"units": UNITS, "resident_points": points}),
            rfm_registry,
            "lss_bostader",
        )


# -- explain, follow-up, data ----------------------------------------------------------------------


def test_explain_shows_days_points_hours_and_the_rate_with_its_source(rfm_cli):
    for model, unit, expected in (
        (
            "sarskilt_boende",
            "Säbo Häggenås",
            ["belagda dygn", "1 450", "16 platser < 20", "ILLUSTRATIVT eftersom granskningen"],
        ),
        (
            "sarskilt_boende",
            "Säbo Norr",
            ["1 318", "62 platser ≥ 20", "482 527 kr per brukare 2012 ÷ 366"],
        ),
        (
            "sarskilt_boende",
            "Korttids Lillänge",
            ["1 702", "korttidsboende: Granskningen Tabell 4"],
        ),
        (
            "lss_bostader",
            "LSS Gruppbostad 1",
            ["poäng", "grundersättning (vaknatt)", "poängvärde 10 802 kr"],
        ),
        ("hemtjanst", "Hemtjänst Lit", ["nivå 3", "personmånader", "kr/timme", "schablon nivå 3"]),
    ):
        out = rfm_cli(
            "explain", "ostersund", "--model", model, "--recipient", unit, "--year", "2013"
        )
        assert out.exit_code == 0, out.output
        for text in expected:
            assert text in out.output, (model, text)


def table_rows(text: str) -> dict[str, list[str]]:
    return {
        cells[0]: cells[1:]
        for line in text.splitlines()
        if len(cells := re.split(r"\s{2,}", line.strip())) > 1 and not line.startswith("-")
    }


def test_the_follow_up_reproduces_tables_1_and_2_of_the_audit(rfm_cli):
    out = rfm_cli(
        "ostersund", "uppfoljning", "--year", "2013", "--committee", "Vård- och omsorgsnämnden"
    )
    assert out.exit_code == 0, out.output
    rows = table_rows(out.output)
    # Tabell 1 as printed: Budget 2013, Bokslut 2012 (Tot. resultat), Budget 2012.
    assert rows["Hemtjänst/hemsjukvård"] == ["326", "363,5", "(-22,5)", "341"]
    assert rows["Äldre- och korttidsboende"] == ["347", "338,8", "(-2,8)", "336"]
    assert rows["LSS"] == ["400,5", "377,2", "(+13,8)", "391"]
    assert rows["Gemensamt"] == ["51", "30,5", "(+11,5)", "42"]
    assert rows["Kostnader"] == ["1 124", "1 110", "1 110"]
    assert rows["Resultat"] == ["0", "0", "1,1"]
    assert "delarna summerar till 1 124,5; angivet 1 124" in out.output
    social = rfm_cli("ostersund", "uppfoljning", "--year", "2013", "--committee", "Socialnämnden")
    rows = table_rows(social.output)
    # Tabell 2 as printed.
    assert rows["Intäkter"] == ["303", "295,8", "258,7"]
    assert rows["Kostnader"] == ["-303", "-305,5", "-258,7"]
    assert rows["Tilläggsanslag"] == ["9,9"]
    assert rows["Summa"] == ["0", "0,2", "0"]


def test_a_stated_total_far_from_its_parts_is_refused(tenant_file, rfm_registry):
    from rfm_ostersund.follow_up import follow_up

    text = (
        (TENANT_DIR / "uppfoljning.csv")
        .read_text(encoding="utf-8")
        .replace("Kostnader,summa,2012,utfall,1110", "Kostnader,summa,2012,utfall,1120")
    )
    data = pl.read_csv(text.encode())
    with pytest.raises(rfm.ConfigError, match="the parts sum to 1 110, the stated total is 1 120"):
        follow_up(data, "Vård- och omsorgsnämnden", 2013)


def test_the_data_script_rebuilds_the_bundled_files_and_matches_the_tenant(rfm_registry):
    done = subprocess.run(
        [sys.executable, str(PLUGIN / "scripts" / "make_data.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    sys.path.insert(0, str(PLUGIN / "scripts"))
    try:
        import make_data
    finally:
        sys.path.pop(0)
    _, figures = make_data.build()
    tenant = rfm_registry.tenant("ostersund")
    assert tenant.parameters["lss_bostader.point_value"].at(2013).value == figures["point_value"]
    for level, value in make_data.LSS_BASE.items():
        assert tenant.parameters[f"lss_bostader.base.{level}"].at(2013).value == value
    for name in ("nivå 1", "nivå 2", "nivå 3"):
        key = f"hemtjanst.level_hours.{name}"
        assert tenant.parameters[key].at(2013).value == figures[f"level_hours.{name}"]


def test_years_the_unit_data_do_not_cover_are_refused(rfm_cli):
    """`rfm run ostersund --years 2023-2030` (data 2012–2013) paid full occupancy and silently
    dropped hemtjänst; now it stops and names the data's period."""
    out = rfm_cli("run", "ostersund", "--years", "2023-2030")
    assert out.exit_code == 1
    assert "dataset 'stays' covers 2012-01-01 to 2013-12-31" in out.stderr
    assert "2023, 2024, 2025, 2026, 2027, 2028, 2029, 2030" in out.stderr


def test_the_plugin_registers_by_name_exactly_its_model_types_and_schemas():
    """rfm_ostersund.plugin registers rfm.Deferred entries (nothing imported until used): they
    are its model types and schemas, by the names those carry."""
    from rfm_ostersund import models, plugin, schemas

    assert [d.name for d in plugin.MODEL_TYPES] == [t.type_name for t in models.MODEL_TYPES]
    assert [d.load() for d in plugin.MODEL_TYPES] == list(models.MODEL_TYPES)
    assert [d.name for d in plugin.SCHEMAS] == [s.name for s in schemas.SCHEMAS]
    assert [d.load() for d in plugin.SCHEMAS] == list(schemas.SCHEMAS)
