"""``rfm new-plugin NAME``: a plugin package with one model type, whose tests pass at once."""

from __future__ import annotations

from pathlib import Path

import click

from rfm.errors import OutputError
from rfm.io.atomic import write_text_atomic
from rfm.scaffold import names, scaffold


@click.command("new-plugin")
@click.argument("name")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="The folder to create (default ./rfm-plugins-NAME; inside the rfm repository, "
    "packages/rfm-plugins-NAME makes it a workspace member).",
)
def new_plugin_command(name: str, out: Path | None) -> None:
    """Make a plugin package NAME: a model type, an example tenant, tests that pass at once."""
    values = names(name)
    folder = out or Path(values["__DIST__"])
    if folder.exists() and any(folder.iterdir()):
        raise OutputError(
            f"{folder}: the folder exists and is not empty; choose another with --out"
        )
    files = scaffold(name)
    for relative, text in files.items():
        target = folder / relative
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(
                f"{target.parent}: cannot create the folder ({exc.strerror})"
            ) from None
        write_text_atomic(target, text)
    click.echo(f"{values['__DIST__']}: {folder}/")
    for relative in sorted(files):
        click.echo(f"  {relative}")
    click.echo(
        f"\nModel type {values['__TYPE__']!r} in src/{values['__MODULE__']}/models.py, example "
        f"tenant {values['__TENANT__']!r}.\n"
        f"Its tests: cd {folder} && python -m pytest   (docs/plugins.md: rfm manual plugins)"
    )
