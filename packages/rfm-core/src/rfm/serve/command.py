"""``rfm serve``: start the what-if pages of the tenants named, on 127.0.0.1.

    rfm serve vaggeryd                      # http://127.0.0.1:8000/
    rfm serve --config kommun/tenant.toml --port 0          # any free port; the URL is printed
    rfm serve vaggeryd --host 0.0.0.0 --token "$(openssl rand -hex 16)"   # beyond this computer

Only the tenants named at start are served. Listening on anything but loopback needs a token
(``--token`` or ``$RFM_SERVE_TOKEN``, 16 characters or more); without one rfm refuses to start.
Starlette and uvicorn are imported only here, so ``rfm --help`` stays fast.
"""

from __future__ import annotations

import ipaddress
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from rfm.cli.common import registry, resolve_years, year_options
from rfm.errors import ConfigError

if TYPE_CHECKING:
    from rfm.serve.compute import Served
    from rfm.tenants.tenant import Tenant

MIN_TOKEN = 16


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this computer only (127.0.0.0/8, ::1 or ``localhost``)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_listening(host: str, token: str | None) -> None:
    """Refuse to listen beyond loopback without a token, or with a short one."""
    if token is not None and len(token) < MIN_TOKEN:
        raise ConfigError(f"--token: at least {MIN_TOKEN} characters (openssl rand -hex 16)")
    if not is_loopback(host) and token is None:
        raise ConfigError(
            f"--host {host}: listening beyond this computer needs a token; give --token TOKEN "
            f"(or $RFM_SERVE_TOKEN, at least {MIN_TOKEN} characters), or serve on 127.0.0.1"
        )


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host``:``port`` (0: a free port)."""
    address = "127.0.0.1" if host == "localhost" else host.strip("[]")
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((address, port))
    except OSError as exc:
        sock.close()
        raise ConfigError(
            f"--host {host} --port {port}: cannot listen there ({exc.strerror})"
        ) from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


@click.command("serve")
@click.argument("tenants", nargs=-1)
@click.option(
    "--config",
    "configs",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="A tenant file to serve (may be given more than once).",
)
@year_options
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="0: any free port.",
)
@click.option(
    "--token",
    envvar="RFM_SERVE_TOKEN",
    help="Required beyond loopback: every visitor opens the printed URL with ?token=….",
)
@click.option(
    "--save-to",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(),
    help="Folder for saved scenarios of installed tenants (a tenant file's go beside it).",
)
@click.pass_context
def serve_command(
    ctx: click.Context,
    tenants: tuple[str, ...],
    configs: tuple[Path, ...],
    years: str | None,
    year: int | None,
    host: str,
    port: int,
    token: str | None,
    save_to: Path,
) -> None:
    """A local web page for what-ifs: change a rate, see the frames move, every amount traceable."""
    from rfm.archive import default_path
    from rfm.serve.compute import Served
    from rfm.tenants.toml_loader import load_tenant_file

    check_listening(host, token)
    reg = registry(ctx)
    if not tenants and not configs:
        known = ", ".join(sorted(reg.tenants)) or "none installed"
        raise ConfigError(f"name a tenant ({known}) or give --config FILE")
    served: dict[str, Served] = {}
    loaded: list[tuple[Tenant, Path | None]] = [(reg.tenant(name), None) for name in tenants]
    loaded += [(load_tenant_file(path, reg), path) for path in configs]
    for tenant, path in loaded:
        if tenant.id in served:
            raise ConfigError(f"tenant {tenant.id!r} is named twice; serve each tenant once")
        if path is not None:
            folder, extends = Path(path).resolve().parent, Path(path).name
        else:
            folder, extends = save_to.resolve(), tenant.id
            if not folder.is_dir():
                raise ConfigError(f"--save-to {save_to}: no such folder")
        served[tenant.id] = Served(
            tenant=tenant,
            extends=extends,
            save_folder=folder,
            archive=default_path(tenant, from_file=path is not None).resolve(),
            years=tuple(resolve_years(years, year, tenant)),
            config=None if path is None else Path(path),
        )
    serve(served, host=host, port=port, token=token, ctx=ctx)


def serve(
    served: dict[str, Served], *, host: str, port: int, token: str | None, ctx: click.Context
) -> None:
    """Bind, print the URL, and serve until interrupted."""
    import uvicorn

    from rfm.cli.common import host as plugin_host
    from rfm.serve.app import ServeApp

    sock = bind(host, port)
    bound = sock.getsockname()[1]
    shown = f"[{host.strip('[]')}]" if ":" in host.strip("[]") else host
    hosts = None
    if is_loopback(host):
        hosts = {f"127.0.0.1:{bound}", f"localhost:{bound}", f"[::1]:{bound}", f"{shown}:{bound}"}
    app = ServeApp(plugin_host(ctx), served, token=token, hosts=hosts)
    url = f"http://{shown}:{bound}/" + (f"?token={token}" if token else "")
    click.echo(f"rfm serve: {url}  (Ctrl+C avslutar)")
    sys.stdout.flush()
    config = uvicorn.Config(
        app.asgi,
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_keep_alive=5,
        limit_concurrency=200,  # beyond it: 503 at once, not a queue without end
        server_header=False,
    )
    uvicorn.Server(config).run(sockets=[sock])
