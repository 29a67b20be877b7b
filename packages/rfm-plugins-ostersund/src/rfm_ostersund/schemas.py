"""The tables of unit activity a committee's allocation to its units reads.

Every check runs over the whole table at once, so a file with several problems lists them all,
each with its row and column. Dates are ISO text (``2013-03-05``).
"""

from __future__ import annotations

import rfm

DATE = r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"
UNIT_KINDS = ["särskilt_boende", "korttidsboende", "lss_bostad", "hemtjanst"]
STAFFING = ["dagtackning", "vaknatt"]
FOLLOW_UP_ROLES = ["verksamhet", "summa", "resultat", "post"]
FOLLOW_UP_KINDS = ["budget", "utfall"]
OPEN_END = "9999-12-31"


C = rfm.ColumnSpec
UNITS = rfm.SchemaSpec(
    "units",
    "A committee's units: kind, places, staffing need (LSS), hourly rate (hemtjänst), contract rate.",
    (
        C("unit", "text", "the unit's name"),
        C("kind", "text", ", ".join(UNIT_KINDS)),
        C("places", "int", "number of places", required=False, nullable=True),
        C(
            "staffing",
            "text",
            "LSS staffing need: dagtackning or vaknatt",
            required=False,
            nullable=True,
        ),
        C(
            "hourly_rate",
            "number",
            "hemtjänst: the unit's kr per hour",
            required=False,
            nullable=True,
        ),
        C(
            "contract_rate",
            "number",
            "external provider: kr per dygn by contract",
            required=False,
            nullable=True,
        ),
    ),
    "rfm_ostersund.checks:Units",
    key=("unit",),
)
STAYS = rfm.SchemaSpec(
    "stays",
    "Stays in särskilt boende or korttidsboende: unit, place, person, first and last day (empty: ongoing).",
    (
        C("unit", "text"),
        C("place", "text", "the place (room) within the unit"),
        C("person", "text", "a pseudonymous person id"),
        C("from_date", "text", "first paid day: the biståndsbeslut or moving in (YYYY-MM-DD)"),
        C(
            "to_date",
            "text",
            "last day: moving out or death (YYYY-MM-DD; empty while ongoing)",
            nullable=True,
        ),
    ),
    "rfm_ostersund.checks:Stays",
)
CARE_HOURS = rfm.SchemaSpec(
    "care_hours",
    "Hemtjänst and hemsjukvård: assessed (and performed) care hours per person and month.",
    (
        C("unit", "text"),
        C("person", "text"),
        C("year", "int"),
        C("month", "int", "1–12"),
        C("assessed_hours", "number", "beviljade/bedömda timmar"),
        C("performed_hours", "number", "utförda timmar (LOV)", required=False, nullable=True),
    ),
    "rfm_ostersund.checks:CareHours",
    key=("unit", "person", "year", "month"),
)
RESIDENT_POINTS = rfm.SchemaSpec(
    "resident_points",
    "LSS bostäder: each resident's assessed points (poängsystem) per year.",
    (C("unit", "text"), C("person", "text"), C("year", "int"), C("points", "number")),
    "rfm_ostersund.checks:ResidentPoints",
    key=("unit", "person", "year"),
)
FOLLOW_UP = rfm.SchemaSpec(
    "follow_up",
    "Budget and outcome per committee, post and year (mnkr), as the committee reports them.",
    (
        C("committee", "text"),
        C("post", "text", "verksamhet or post (Hemtjänst, Intäkter …)"),
        C("role", "text", ", ".join(FOLLOW_UP_ROLES)),
        C("year", "int"),
        C("kind", "text", "budget or utfall (bokslut)"),
        C("amount", "number", "mnkr"),
        C("source", "text", "where the figure is published"),
    ),
    "rfm_ostersund.checks:FollowUp",
    key=("committee", "post", "year", "kind"),
)
SCHEMAS = (UNITS, STAYS, CARE_HOURS, RESIDENT_POINTS, FOLLOW_UP)
