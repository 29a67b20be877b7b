"""The web application of ``rfm serve``: Starlette routes, forms, sessions and guards.

Pages (Swedish):

* ``/`` — the tenants served;
* ``/t/ID`` — a tenant: models, scenarios, years, totals per year and the report's sections;
* ``/t/ID/vad-om`` — the what-if: change dated parameters, see every recipient's amount against
  the decided scenario or an archived run, the frame build-up, save or download it;
* ``/t/ID/belopp?model=…&recipient=…&year=…`` — one amount's lineage, as ``rfm explain``;
* ``/t/ID/ladda-ner/arbetsbok.xlsx`` and ``…/rapport.html`` — the workbook and report of the
  what-if on screen.

Guards, for every request: only the tenants given at start exist (a name is looked up, never
made into a path); no request names a file (saved scenarios get names rfm makes inside the
tenant's folder); the ``Host`` header must be the server's own on loopback (no DNS rebinding);
with a token, every request must carry it (a cookie set from ``?token=`` once); a POST from
another origin is refused, and every form carries the session's CSRF token; a form body is at
most :data:`MAX_BODY` bytes and :data:`MAX_FIELDS` fields. Pages allow no script at all
(Content-Security-Policy) and every text from a tenant or its data is escaped.
"""

from __future__ import annotations

import hmac
import tempfile
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import attrs
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from rfm.cli.common import check_year, parse_years
from rfm.config import check_name
from rfm.display_rounding import Rounding
from rfm.errors import ConfigError, RfmError
from rfm.io.atomic import write_text_atomic
from rfm.plugins.manager import PluginHost
from rfm.serve import pages
from rfm.serve.compute import Computer, Served, archived_runs
from rfm.serve.sessions import COOKIE, Session, Sessions, Workspace
from rfm.serve.whatif import (
    MAX_CHANGES,
    MAX_TEXT,
    MODES,
    WHATIF,
    FieldErrors,
    base_parameters,
    parse_change,
    plain_text,
    saved_path,
    scenario_file,
    written_overrides,
)
from rfm.tenants.tenant import DEFAULT_SCENARIO

MAX_BODY = 64 * 1024
MAX_FIELDS = 40
TOKEN_COOKIE = "rfm_token"
SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
        b"frame-ancestors 'none'; base-uri 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
]
Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def _cookie(name: str, value: str) -> str:
    return f"{name}={value}; Path=/; HttpOnly; SameSite=Strict"


class Guard:
    """ASGI middleware: Host, token and Origin checks, and security headers on every answer."""

    def __init__(self, app: ASGIApp, *, token: str | None, hosts: set[str] | None) -> None:
        self.app = app
        self.token = token
        self.hosts = hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}

        async def secured(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        async def refuse(status: int, text: str) -> None:
            body = pages.render("error.html.j2", title="Nekad", message=text).encode()
            response = HTMLResponse(body, status_code=status)
            await response(scope, receive, secured)

        host = headers.get("host", "")
        if self.hosts is not None and host.lower() not in self.hosts:
            await refuse(400, f"Okänd värd {host!r}: öppna sidan med adressen rfm serve skrev ut.")
            return
        if self.token is not None:
            request = Request(scope)
            given = request.query_params.get("token")
            if given is not None and _same(given, self.token):
                query = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
                url = request.url.path + (f"?{urlencode(query)}" if query else "")
                response = RedirectResponse(url, status_code=303)
                response.headers["set-cookie"] = _cookie(TOKEN_COOKIE, self.token)
                await response(scope, receive, secured)
                return
            if not _same(request.cookies.get(TOKEN_COOKIE, ""), self.token):
                await refuse(401, "Den här servern kräver token: öppna adressen med ?token=….")
                return
        if scope["method"] not in ("GET", "HEAD"):
            origin = headers.get("origin")
            fetch_site = headers.get("sec-fetch-site", "")
            own = f"http://{host}".lower()
            if (origin is not None and origin.lower() != own) or fetch_site == "cross-site":
                await refuse(403, "Formulär från en annan webbplats tas inte emot.")
                return
        await self.app(scope, receive, secured)


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8"))


async def read_form(request: Request) -> dict[str, str]:
    """The posted form (``application/x-www-form-urlencoded``), read with bounds."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        raise HTTPException(415, "Formuläret ska skickas som application/x-www-form-urlencoded.")
    length = request.headers.get("content-length", "0")
    if not length.isdigit() or int(length) > MAX_BODY:
        raise HTTPException(413, f"Formuläret är större än {MAX_BODY // 1024} kB.")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise HTTPException(413, f"Formuläret är större än {MAX_BODY // 1024} kB.")
    try:
        pairs = parse_qsl(
            bytes(body).decode("utf-8"),
            keep_blank_values=True,
            strict_parsing=False,
            max_num_fields=MAX_FIELDS,
        )
    except (UnicodeDecodeError, ValueError):
        raise HTTPException(400, "Formuläret gick inte att läsa (UTF-8, högst 40 fält).") from None
    return {k: v for k, v in pairs if "\x00" not in v}


class ServeApp:
    """The served tenants, their sessions and computations, and the Starlette app over them."""

    def __init__(
        self,
        host: PluginHost,
        served: dict[str, Served],
        *,
        token: str | None = None,
        hosts: set[str] | None = None,
    ) -> None:
        self.plugin_host = host
        self.served = served
        self.sessions = Sessions()
        self.computer = Computer(host.registry)
        self.rounding = Rounding()
        self._save_lock = threading.Lock()
        routes = [
            Route("/", self.index),
            Route("/t/{tenant}", self.tenant_page),
            Route("/t/{tenant}/vad-om", self.whatif_page, methods=["GET"]),
            Route("/t/{tenant}/vad-om", self.whatif_post, methods=["POST"]),
            Route("/t/{tenant}/belopp", self.explain_page),
            Route("/t/{tenant}/korning", self.archived_page),
            Route("/t/{tenant}/ladda-ner/{name}", self.download),
        ]
        app = Starlette(routes=routes, exception_handlers={HTTPException: self.http_error})  # type: ignore[dict-item]
        self.asgi: ASGIApp = Guard(app, token=token, hosts=hosts)

    # -- plumbing ------------------------------------------------------------------------

    async def http_error(self, request: Request, exc: HTTPException) -> Response:
        text = exc.detail if exc.status_code != 404 or exc.detail != "Not Found" else ""
        message = text or "Sidan finns inte."
        html = pages.render("error.html.j2", title="Fel", message=message)
        return HTMLResponse(html, status_code=exc.status_code)

    def _served(self, request: Request) -> Served:
        found = self.served.get(request.path_params["tenant"])
        if found is None:
            raise HTTPException(404, "Den kommunen visas inte av den här servern.")
        return found

    def _session(self, request: Request) -> tuple[Session, bool]:
        return self.sessions.get(request.cookies.get(COOKIE))

    @staticmethod
    def _with_cookie(response: Response, session: Session, new: bool) -> Response:
        if new:
            response.headers.append("set-cookie", _cookie(COOKIE, session.id))
        return response

    def _workspace(self, session: Session, served: Served) -> Workspace:
        ws = session.workspaces.get(served.tenant.id)
        if ws is None:
            ws = Workspace(years=served.years)
            session.workspaces[served.tenant.id] = ws
        return ws

    # -- pages ---------------------------------------------------------------------------

    async def index(self, request: Request) -> Response:
        tenants = [s.tenant for s in self.served.values()]
        return HTMLResponse(pages.render("index.html.j2", title="Kommuner", tenants=tenants))

    async def tenant_page(self, request: Request) -> Response:
        served = self._served(request)
        scenario = request.query_params.get("scenario") or None
        html = await run_in_threadpool(self._tenant_html, served, scenario)
        return HTMLResponse(html)

    def _tenant_html(self, served: Served, scenario: str | None) -> str:
        from rfm.reports.html import report_parts
        from rfm.reports.labels import prices_text, years_text

        tenant = served.tenant
        names = sorted({DEFAULT_SCENARIO, *tenant.scenarios})
        problem, sections, year_rows, meta = "", [], [], ""
        chosen = scenario or tenant.scenario(None).name
        try:
            picked = tenant.scenario(scenario)
            result = self.computer.decided(served, scenario, served.years)
            parts = report_parts(result, rounding=self.rounding)
            sections, meta = parts["sections"], parts["meta"]
            year_rows = [[str(y), t] for y, t in pages.totals_by_year(result, self.rounding)]
            chosen = picked.name
        except RfmError as exc:
            problem = str(exc)
        models = {
            "kind": "table",
            "headers": ["Modell", "Id", "Typ", "Mottagare", "Formel"],
            "rows": [
                [m.label, m.id, m.config.type, _recipients(served, m.id, self), m.formula()]
                for m in tenant.models
            ],
            "numeric": [False] * 5,
            "totals": 0,
            "caption": "",
        }
        scenario_table = {
            "kind": "table",
            "headers": ["Scenario", "Beskrivning", "Modeller", "Ändrar"],
            "rows": [
                [
                    s.name,
                    s.description,
                    ", ".join(tenant.reported_models(s)),
                    ", ".join(p.key for p in s.overrides) or "–",
                ]
                for s in (tenant.scenario(n) for n in names)
            ],
            "numeric": [False] * 4,
            "totals": 0,
            "caption": "",
        }
        return pages.render(
            "tenant.html.j2",
            title=tenant.name,
            tenant=tenant,
            meta=meta or prices_text("fixed"),
            scenarios=[tenant.scenario(n) for n in names],
            scenario=chosen,
            problem=problem,
            models=models,
            scenario_table=scenario_table,
            years_text=years_text(list(served.years)),
            year_table={
                "kind": "table",
                "headers": ["År", "Summa (kr)"],
                "rows": year_rows,
                "numeric": [False, True],
                "totals": 0,
                "caption": "",
            },
            sections=sections,
        )

    async def whatif_page(self, request: Request) -> Response:
        served = self._served(request)
        session, new = self._session(request)
        prefill = request.query_params.get("parameter", "")[:200]
        html = await run_in_threadpool(self._whatif_locked, served, session, prefill)
        return self._with_cookie(HTMLResponse(html), session, new)

    def _whatif_locked(self, served: Served, session: Session, prefill: str) -> str:
        with session.lock:
            ws = self._workspace(session, served)
            message, ws.message = ws.message, ""  # a message is shown once
            return self._whatif_html(
                served, session, ws, form={"parameter": prefill}, message=message
            )

    async def whatif_post(self, request: Request) -> Response:
        served = self._served(request)
        form = await read_form(request)
        session, new = self._session(request)
        if new or not session.check_csrf(form.get("csrf", "")):
            html = pages.render(
                "error.html.j2",
                title="Nekad",
                message="Formuläret hörde inte till din session (CSRF): ladda om sidan och "
                "försök igen.",
            )
            return self._with_cookie(HTMLResponse(html, status_code=403), session, new)
        outcome = await run_in_threadpool(self._post_locked, served, session, form)
        if outcome is None:
            url = pages.tenant_url(served.tenant.id, "vad-om")
            return RedirectResponse(url + "#resultat", status_code=303)
        return HTMLResponse(outcome)  # 200: a form shown again is a page, not a failed load

    def _post_locked(self, served: Served, session: Session, form: dict[str, str]) -> str | None:
        """Carry out a form's action; None when done (then the page is shown anew), else the
        page again with the errors beside the fields and everything as typed."""
        with session.lock:
            ws = self._workspace(session, served)
            action = form.get("action", "")
            try:
                if action == "change":
                    self._add_change(served, ws, form)
                elif action == "remove":
                    index = form.get("index", "")
                    if index.isascii() and index.isdigit() and int(index) < len(ws.changes):
                        ws.changes = tuple(c for i, c in enumerate(ws.changes) if i != int(index))
                elif action == "reset":
                    ws.changes = ()
                elif action == "settings":
                    self._settings(served, ws, form)
                elif action == "save-scenario":
                    ws.message = self._save_scenario(served, ws, form)
                elif action == "save-run":
                    ws.message = self._save_run(served, ws, form)
                else:
                    raise FieldErrors({"action": f"unknown action {action!r}"})
            except FieldErrors as exc:
                return self._whatif_html(served, session, ws, form=form, errors=exc.errors)
            return None

    def _add_change(self, served: Served, ws: Workspace, form: dict[str, str]) -> None:
        if len(ws.changes) >= MAX_CHANGES:
            raise FieldErrors({"parameter": f"at most {MAX_CHANGES} changes in one what-if"})
        parameters, _ = written_overrides(base_parameters(served.tenant, ws.base), ws.changes)
        change = parse_change(form, parameters)
        changes = (*ws.changes, change)
        try:  # the what-if must compute: a share above 1, a blend of nothing … said now
            result = self.computer.prepare(served, ws.base, changes, ws.years)
            self.computer.comparison(served, result, ws.base, ws.against)
        except RfmError as exc:
            raise FieldErrors({"value": str(exc)}) from None
        ws.changes = changes

    def _settings(self, served: Served, ws: Workspace, form: dict[str, str]) -> None:
        errors: dict[str, str] = {}
        tenant = served.tenant
        years: list[int] = list(ws.years)
        try:
            years = parse_years(form.get("years", ""))
            if len(years) > 50:
                raise ConfigError("--years: at most 50 budget years at once")
        except RfmError as exc:
            errors["years"] = str(exc)
        base = form.get("base") or None
        try:
            tenant.scenario(base)
        except RfmError as exc:
            errors["base"] = str(exc)
        against = form.get("against", "")
        if against and not against.startswith(("scenario:", "run:")):
            errors["against"] = f"against: {against!r} is no scenario or archived run"
        elif against.startswith("scenario:"):
            try:
                tenant.scenario(against.removeprefix("scenario:"))
            except RfmError as exc:
                errors["against"] = str(exc)
        if errors:
            raise FieldErrors(errors)
        base_name = tenant.scenario(base).name
        try:
            result = self.computer.prepare(served, base_name, ws.changes, years)
        except RfmError as exc:
            raise FieldErrors({"years": str(exc)}) from None
        try:
            self.computer.comparison(served, result, base_name, against)
        except RfmError as exc:
            raise FieldErrors({"against": str(exc)}) from None
        if base_name != (ws.base or tenant.scenario(None).name):
            # the changes were made on the old scenario's values: they stay, laid over the new
            try:
                written_overrides(base_parameters(tenant, base_name), ws.changes)
            except RfmError as exc:
                raise FieldErrors({"base": str(exc)}) from None
        ws.years, ws.base, ws.against = tuple(years), base_name, against

    def _save_scenario(self, served: Served, ws: Workspace, form: dict[str, str]) -> str:
        name = form.get("name", "").strip()
        description = plain_text(form.get("description", ""))
        errors = {}
        try:
            check_name(name, "scenario name")
        except RfmError as exc:
            errors["name"] = str(exc)
        if len(description) > MAX_TEXT:
            errors["description"] = f"description: at most {MAX_TEXT} characters"
        if not ws.changes:
            errors["name"] = "no changes to save: change a parameter first"
        if errors:
            raise FieldErrors(errors)
        tenant = served.tenant
        with self._save_lock:
            target = saved_path(served.save_folder, tenant.id, name)
            try:
                text = scenario_file(tenant, served.extends, ws.base, ws.changes, name, description)
                if target.exists() or target.is_symlink():
                    raise ConfigError(f"{target}: exists already; choose another name")
                check = self._load_saved(text, target)
                write_text_atomic(target, text)
            except RfmError as exc:
                raise FieldErrors({"name": str(exc)}) from None
            # the saved scenario is everyone's now: the served tenant gains it
            served.tenant = attrs.evolve(
                tenant, scenarios={**tenant.scenarios, name: check.scenario(name)}
            )
            served.version += 1
        return (
            f"Sparat som scenario {name} i {target}. Kör det igen: rfm run --config {target} "
            f"--scenario {name}"
        )

    def _load_saved(self, text: str, target: Path) -> Any:
        """The saved file, loaded as ``rfm run --config`` will load it, before it is written."""
        import tomllib

        from rfm.tenants.toml_loader import tenant_from_document

        return tenant_from_document(tomllib.loads(text), target, self.plugin_host.registry)

    def _save_run(self, served: Served, ws: Workspace, form: dict[str, str]) -> str:
        from rfm.archive import RunArchive, versions

        label = plain_text(form.get("label", ""))
        if not label:
            raise FieldErrors(
                {"label": "label: give the run a label (what was decided or proposed)"}
            )
        if len(label) > MAX_TEXT:
            raise FieldErrors({"label": f"label: at most {MAX_TEXT} characters"})
        try:
            result = self.computer.whatif(served, ws.base, ws.changes, ws.years)
            store = RunArchive(served.archive)
            with self._save_lock:
                run_id = store.save(result, label, versions(self.plugin_host))
        except RfmError as exc:
            raise FieldErrors({"label": str(exc)}) from None
        return f"Sparad som körning {run_id} i {store.path}"

    def _whatif_html(
        self,
        served: Served,
        session: Session,
        ws: Workspace,
        *,
        form: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
        message: str = "",
    ) -> str:
        from rfm.reports.html import report_parts

        tenant = served.tenant
        form = form or {}
        errors = errors or {}
        base_name = tenant.scenario(ws.base).name
        problem = ""
        rows: list[dict[str, Any]] = []
        sections: list[dict[str, Any]] = []
        frames: list[dict[str, Any]] = []
        label_a = "Vad om" if ws.changes else base_name
        label_b = ""
        try:
            parameters, _ = written_overrides(base_parameters(tenant, ws.base), ws.changes)
        except RfmError as exc:
            parameters, problem = base_parameters(tenant, ws.base), str(exc)
        try:
            result = self.computer.whatif(served, ws.base, ws.changes, ws.years)
            comparison = self.computer.comparison(served, result, ws.base, ws.against)
            label_b = comparison.label
            if label_b == label_a:
                label_b = f"{label_b} (beslutat)"
            rows = pages.amount_rows(tenant, comparison, self.rounding, label_a)
            parts = report_parts(
                result,
                comparison=comparison.frame,
                labels=(label_a, label_b),
                rounding=self.rounding,
            )
            sections = [s for s in parts["sections"] if s["id"] != "sources"]
            frames = pages.frame_tables(
                self.computer.frames(served, ws.base, ws.changes, ws.years), self.rounding
            )
        except RfmError as exc:
            problem = str(exc)
        units = {k: parameters[k].unit for k in parameters}
        years = list(ws.years)
        defaults = {
            "parameter": "",
            "first": str(years[0]) if years else "",
            "last": "",
            "mode": "set",
            "value": "",
            "source": "",
        }
        # each form shows what was typed into it when it was the one posted (nothing is lost);
        # a page opened with ?parameter=KEY counts as the change form, prefilled
        posted = form.get("action", "change")

        def typed(action: str, values: dict[str, str]) -> dict[str, str]:
            return {k: form.get(k, v) if posted == action else v for k, v in values.items()}

        shown_form = typed("change", defaults)
        settings = typed(
            "settings", {"years": _years_field(years), "base": base_name, "against": ws.against}
        )
        save = {k: form.get(k, "") for k in ("name", "description", "label")}
        parameter_rows = pages.parameter_rows(tenant, parameters)
        for p in parameter_rows:
            p["edit"] = pages.tenant_url(tenant.id, "vad-om", parameter=p["key"]) + "#andra"
        lead = (
            f"{label_a} jämfört med {label_b}, {', '.join(map(str, years))} (kr)."
            if label_b
            else ""
        )
        shown_fields = {*defaults, "years", "base", "against", "name", "description", "label"}
        loose = [text for field, text in errors.items() if field not in shown_fields]
        if loose:
            problem = "; ".join([*loose, *([problem] if problem else [])])
        return pages.render(
            "whatif.html.j2",
            title=f"Vad om – {tenant.name}",
            tenant=tenant,
            csrf=session.csrf,
            action_url=pages.tenant_url(tenant.id, "vad-om"),
            form=shown_form,
            errors=errors,
            modes=MODES,
            example_key=next(iter(parameters), ""),
            parameters=parameter_rows,
            changes=[c.describe(units.get(c.key, "")) for c in ws.changes],
            settings=settings,
            scenarios=sorted({DEFAULT_SCENARIO, *tenant.scenarios} - {WHATIF}),
            runs=archived_runs(served),
            problem=problem,
            rows=rows,
            lead=lead,
            label_a=label_a,
            label_b=label_b,
            frames=frames,
            sections=sections,
            save=save,
            message=message,
            download_xlsx=pages.tenant_url(tenant.id, "ladda-ner/arbetsbok.xlsx"),
            download_html=pages.tenant_url(tenant.id, "ladda-ner/rapport.html"),
        )

    async def explain_page(self, request: Request) -> Response:
        served = self._served(request)
        query = request.query_params
        session, new = self._session(request)
        html, status = await run_in_threadpool(self._explain_html, served, session, dict(query))
        return self._with_cookie(HTMLResponse(html, status_code=status), session, new)

    def _explain_html(
        self, served: Served, session: Session, query: dict[str, str]
    ) -> tuple[str, int]:
        from rfm.explanation import explain
        from rfm.serve.whatif import whatif_tenant

        tenant = served.tenant
        model, recipient, year_text = (query.get(k, "") for k in ("model", "recipient", "year"))
        whatif = query.get("vad-om") == "1"
        scenario = query.get("scenario") or None
        back = pages.tenant_url(tenant.id, "vad-om") + "#resultat"
        try:
            year = int(year_text) if year_text.isascii() and year_text.isdigit() else None
            if year is None:
                raise ConfigError(f"year: expected a budget year, found {year_text!r}")
            check_year(year, "year")
            if whatif:
                with session.lock:
                    ws = self._workspace(session, served)
                    base, changes = ws.base, ws.changes
                chosen = whatif_tenant(tenant, base, changes)
                found = explain(
                    chosen, self.plugin_host.registry, model, recipient, year, scenario=WHATIF
                )
                command = "rfm explain med ändringarna sparade som scenario"
            else:
                found = explain(
                    tenant, self.plugin_host.registry, model, recipient, year, scenario=scenario
                )
                named = f"--config {served.config}" if served.config else served.extends
                command = (
                    f"rfm explain {named} --model {model} --recipient {recipient!r} "
                    f"--year {year}" + (f" --scenario {scenario}" if scenario else "")
                )
        except RfmError as exc:
            html = pages.render("error.html.j2", title="Belopp", tenant=tenant, message=str(exc))
            return html, 404
        context = pages.explanation_context(found)
        html = pages.render(
            "explain.html.j2",
            title=f"{recipient} {year}",
            tenant=tenant,
            back=back,
            command=command,
            **context,
        )
        return html, 200

    async def archived_page(self, request: Request) -> Response:
        served = self._served(request)
        html, status = await run_in_threadpool(
            self._archived_html, served, dict(request.query_params)
        )
        return HTMLResponse(html, status_code=status)

    def _archived_html(self, served: Served, query: dict[str, str]) -> tuple[str, int]:
        """An archived run's lineage rows behind one amount (as ``rfm runs show`` keeps them)."""
        import polars as pl

        from rfm.archive import RunArchive
        from rfm.explanation import LINEAGE_HEADERS, LINEAGE_NUMERIC, lineage_cells, total_text

        tenant = served.tenant
        model, recipient, year_text, run_text = (
            query.get(k, "") for k in ("model", "recipient", "year", "run")
        )
        try:
            if not (year_text.isascii() and year_text.isdigit()):
                raise ConfigError(f"year: expected a budget year, found {year_text!r}")
            if not (run_text.isascii() and run_text.isdigit() and len(run_text) < 10):
                raise ConfigError(
                    f"run: expected the number of an archived run, found {run_text!r}"
                )
            store = RunArchive(served.archive)
            store.check_owner(tenant.id)
            archived = store.run(int(run_text))
            rows = store.lineage(archived.id).filter(
                (pl.col("model") == model)
                & (pl.col("recipient") == recipient)
                & (pl.col("year") == int(year_text))
            )
            if rows.height == 0:
                raise ConfigError(
                    f"archived run {archived.id} has no rows for model {model!r}, recipient "
                    f"{recipient!r} in {year_text}"
                )
            inputs = [
                f"  {i['name']}: {i['path']} ({i['rows']} rader, sha256 {i['sha256'][:12]}…)"
                + (f" — {i['source']}" if i["source"] else "")
                for i in store.inputs(archived.id)
            ]
        except RfmError as exc:
            html = pages.render("error.html.j2", title="Körning", tenant=tenant, message=str(exc))
            return html, 404
        label = {m.id: m.label for m in tenant.models}.get(model, model)
        html = pages.render(
            "archived.html.j2",
            title=f"{recipient} {year_text}, körning {archived.id}",
            tenant=tenant,
            heading=f"{tenant.name} — {label} ({model}) — {recipient} — {year_text}",
            run_line=(
                f"Körning {archived.id}: {archived.label} — sparad {archived.created_at}, "
                f"scenario {archived.scenario}"
            ),
            table={
                "kind": "table",
                "headers": list(LINEAGE_HEADERS),
                "rows": lineage_cells(rows),
                "numeric": list(LINEAGE_NUMERIC),
                "totals": 0,
                "caption": "",
            },
            total=total_text(rows),
            inputs=inputs,
            back=pages.tenant_url(tenant.id, "vad-om") + "#resultat",
        )
        return html, 200

    async def download(self, request: Request) -> Response:
        served = self._served(request)
        name = request.path_params["name"]
        if name not in ("arbetsbok.xlsx", "rapport.html"):
            raise HTTPException(404, "Sidan finns inte.")
        session, new = self._session(request)
        data = await run_in_threadpool(self._download, served, session, name)
        kind = (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            if name.endswith(".xlsx")
            else "text/html; charset=utf-8"
        )
        filename = f"{served.tenant.id}-vad-om-{name}"
        response = Response(
            data,
            media_type=kind,
            headers={"content-disposition": f'attachment; filename="{filename}"'},
        )
        return self._with_cookie(response, session, new)

    def _download(self, served: Served, session: Session, name: str) -> bytes:
        from rfm.reports.html import render_report
        from rfm.reports.workbook import write_workbook

        with session.lock:
            ws = self._workspace(session, served)
            base, changes, years, against = ws.base, ws.changes, ws.years, ws.against
        try:
            result = self.computer.whatif(served, base, changes, years)
            comparison = self.computer.comparison(served, result, base, against)
        except RfmError as exc:
            raise HTTPException(422, str(exc)) from None
        label_a = "Vad om" if changes else served.tenant.scenario(base).name
        labels = (
            label_a,
            comparison.label if comparison.label != label_a else f"{label_a} (beslutat)",
        )
        if name == "rapport.html":
            html = render_report(
                result, comparison=comparison.frame, labels=labels, rounding=self.rounding
            )
            return html.encode("utf-8")
        frames = [
            f
            for _, f in self.computer.frames(served, base, changes, years)
            if not isinstance(f, Exception)
        ]
        with tempfile.TemporaryDirectory(prefix="rfm-serve-") as folder:
            target = Path(folder) / "arbetsbok.xlsx"
            write_workbook(
                result,
                target,
                comparison=comparison.frame,
                labels=labels,
                rounding=self.rounding,
                frames=frames,
            )
            return target.read_bytes()


def _years_field(years: list[int]) -> str:
    if years and years == list(range(years[0], years[-1] + 1)) and len(years) > 1:
        return f"{years[0]}-{years[-1]}"
    return ",".join(map(str, years))


def _recipients(served: Served, model_id: str, app: ServeApp) -> str:
    try:
        result = app.computer.decided(served, None, served.years)
    except RfmError:
        return "–"
    import polars as pl

    names = (
        result.all_lineage.filter(pl.col("model") == model_id)["recipient"]
        .unique()
        .sort()
        .to_list()
    )
    shown = ", ".join(names[:12])
    return shown + (f" … ({len(names)})" if len(names) > 12 else "")
