"""Unknown names answered with the known names they are close to ("did you mean")."""

from __future__ import annotations

import click


class SuggestingGroup(click.Group):
    """A click group that answers an unknown command with the commands it is close to."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError:
            import difflib

            name = args[0] if args else ""
            near = difflib.get_close_matches(name, self.list_commands(ctx), n=3, cutoff=0.6)
            if not near or name.startswith("-"):
                raise
            raise click.UsageError(
                f"No such command {name!r}. Did you mean {' or '.join(map(repr, near))}?", ctx
            ) from None
