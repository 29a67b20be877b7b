"""``rfm new-plugin NAME``: a plugin package whose own tests pass at once.

The package is the worked example of docs/plugins.md with NAME in its place: one model type
(counts per area and category × a dated rate per unit, with an optional uplift), an example
tenant that uses it, and tests that check it against hand calculations with rfm's pytest
fixtures. The files are the templates in ``rfm/scaffold/template`` (``*.tmpl``), in which
``__NAME__``, ``__MODULE__``, ``__DIST__``, ``__CLASS__``, ``__TYPE__`` and ``__TENANT__`` are
replaced; nothing in them is run while they are written.
"""

from __future__ import annotations

import re
from importlib import resources
from importlib.resources.abc import Traversable

from rfm.errors import ConfigError

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$")


def names(name: str) -> dict[str, str]:
    """The placeholders' values for plugin ``name`` (``skolpeng`` → ``rfm_skolpeng`` …)."""
    if not NAME_PATTERN.match(name):
        raise ConfigError(
            f"plugin name {name!r}: lower-case letters and digits, words joined by '-' or '_' "
            "(e.g. skolpeng, hemtjanst-lov)"
        )
    snake = name.replace("-", "_")
    return {
        "__MODULE__": f"rfm_{snake}",
        "__DIST__": f"rfm-plugins-{name.replace('_', '-')}",
        "__CLASS__": "".join(part.capitalize() for part in snake.split("_")),
        "__TYPE__": snake,
        "__TENANT__": f"{name.replace('_', '-')}-exempel",
        "__NAME__": name,
    }


def scaffold(name: str) -> dict[str, str]:
    """Relative path → text of every file of the new plugin package."""
    values = names(name)
    out: dict[str, str] = {}

    def walk(node: Traversable, prefix: str) -> None:
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            if child.is_dir():
                if child.name != "__pycache__":
                    walk(child, f"{prefix}{child.name}/")
            elif child.name.endswith(".tmpl"):
                path = f"{prefix}{child.name.removesuffix('.tmpl')}"
                text = child.read_text(encoding="utf-8")
                for key, value in values.items():
                    path, text = path.replace(key, value), text.replace(key, value)
                out[path] = text

    walk(resources.files("rfm.scaffold").joinpath("template"), "")
    return out
