"""``rfm manual [TOPIC]``: read the documentation that came with rfm."""

from __future__ import annotations

import click

from rfm.manual import page, title, topics
from rfm.textable import text_table


@click.command("manual")
@click.argument("topic", required=False)
@click.option("--path", "show_path", is_flag=True, help="Print the page's file path instead.")
def manual_command(topic: str | None, show_path: bool) -> None:
    """Read rfm's documentation: without TOPIC the list of pages, with one that page (Markdown)."""
    if topic is None:
        rows = [[name, title(path)] for name, path in topics().items()]
        click.echo(text_table(["Ämne", "Sida"], rows))
        click.echo("\nrfm manual TOPIC prints a page; rfm manual TOPIC --path says where it is.")
        return
    found = page(topic)
    if show_path:
        click.echo(str(found))
    else:
        click.echo(found.read_text(encoding="utf-8"), nl=False)
