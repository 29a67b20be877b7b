"""HTML pages from Jinja2 templates: the report and the model documentation share one look.

Jinja2 rather than strings glued in Python: the page's structure is readable as HTML in
``templates/``, every value is escaped by default (``autoescape``), and the report and the
documentation share one stylesheet with print rules for A4. Only SVG that rfm drew itself and
sections that plugins return as HTML are marked safe.

A municipality sets the page's name, logo and colours in its tenant file (``[report] name``,
``logo``, ``colours``; see :class:`rfm.tenants.tenant.ReportSettings`). The logo is embedded as
a data URI, so the page stays one self-contained file.
"""

from __future__ import annotations

import base64
import re
from functools import cache
from typing import Any

import jinja2
from markupsafe import Markup

from rfm.errors import UnreadableFileError
from rfm.safe_text import terminal_text
from rfm.tenants.tenant import Tenant

DEFAULT_COLOURS = {"primary": "#1f5f8b", "accent": "#b3261e"}
MIME = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".svg": "image/svg+xml"}
_GROUPED = re.compile(r"(?<=\d) (?=\d{3}(?!\d))")


def no_break(text: object) -> str:
    """Spaces between digit groups as no-break spaces: ``"1 450 000"`` never breaks a line."""
    return _GROUPED.sub("\u00a0", str(text))


def visible_controls(value: object) -> object:
    """Every value printed into a page, control characters shown as ``\\x1b`` (they are not
    valid HTML, and an escape sequence must not reach a terminal that shows the file)."""
    if isinstance(value, Markup):
        return Markup(terminal_text(str(value), keep_newlines=True))
    if isinstance(value, str):
        return terminal_text(value, keep_newlines=True)
    return value


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("rfm.reports", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=visible_controls,
    )
    env.filters["nb"] = no_break
    return env


def branding(tenant: Tenant) -> dict[str, Any]:
    """The page's name, logo (a data URI or None) and colours, from ``[report]`` if given."""
    settings = tenant.report
    colours = dict(DEFAULT_COLOURS)
    name, logo = tenant.name, None
    if settings is not None:
        colours |= dict(settings.colours)
        name = settings.name or name
        if settings.logo is not None:
            try:
                data = settings.logo.read_bytes()
            except OSError as exc:
                raise UnreadableFileError(
                    f"{settings.logo}: cannot read the report's logo ({exc.strerror})"
                ) from None
            encoded = base64.b64encode(data).decode("ascii")
            logo = f"data:{MIME[settings.logo.suffix.lower()]};base64,{encoded}"
    return {"name": name, "logo": logo, "colours": colours}


def render_page(template: str, **context: Any) -> str:
    """Render ``templates/<template>`` with ``context``."""
    return environment().get_template(template).render(**context) + "\n"
