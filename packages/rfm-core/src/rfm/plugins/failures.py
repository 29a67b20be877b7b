"""A model type's failure, said as "plugin X, model Y: …" rather than a traceback.

rfm runs code it did not write: the model types of installed plugins. When such code raises
something other than an :class:`~rfm.errors.RfmError` (a ``KeyError`` in ``compute``, a
``ZeroDivisionError`` in ``from_config``), the user cannot fix it and should not read Python's
traceback; the plugin's author needs to know where it broke. The error names the plugin, the
model, the tenant file, the exception, and the line of the plugin's code that raised it.

A model that a tenant inherits through ``extends`` was written in the base's file, but the user
runs their own: its errors name the user's file first and the base's file after it.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from rfm.errors import ModelError, RfmError
from rfm.plugins.entry_points import entry_points

if TYPE_CHECKING:
    import polars as pl

    from rfm.models.base import ComputeContext, Model
    from rfm.tenants.tenant import Tenant

T = TypeVar("T")


@cache
def _plugins_by_package() -> dict[str, str]:
    """Top-level import package → the entry-point name of the plugin that provides it."""
    found: dict[str, str] = {}
    for ep in entry_points("rfm"):
        found.setdefault(ep.value.split(":")[0].split(".")[0], ep.name)
    return found


def plugin_of(model_type: type) -> str:
    """The plugin a model type comes from (its entry-point name), or its package's name."""
    package = model_type.__module__.split(".")[0]
    return _plugins_by_package().get(package, package)


def is_core(model_type: type) -> bool:
    return model_type.__module__.split(".")[0] == "rfm"


def where_it_broke(exc: BaseException) -> str:
    """``file.py:42 in compute`` of the innermost frame outside rfm's own code."""
    frames = traceback.extract_tb(exc.__traceback__)
    mine = Path(__file__).resolve().parents[1]
    theirs = [f for f in frames if not Path(f.filename).resolve().is_relative_to(mine)]
    if not (theirs or frames):
        return ""
    frame = (theirs or frames)[-1]
    return f"{Path(frame.filename).name}:{frame.lineno} in {frame.name}"


def plugin_failure(model_type: type, model_id: str, where: str, exc: Exception) -> ModelError:
    """``plugin 'X', model 'Y' (FILE): KeyError: 'Z' at models.py:42 in compute``."""
    place = where_it_broke(exc)
    file = where.split(": model ")[0]
    return ModelError(
        f"plugin {plugin_of(model_type)!r}, model {model_id!r} ({file}): "
        f"{type(exc).__name__}: {exc}"
        + (f" (at {place})" if place else "")
        + "; this is a fault in the plugin, not in the tenant file: tell its author"
    )


def guarded(
    model_type: type, model_id: str, where: str, call: Callable[..., T], *args: object
) -> T:
    """``call(*args)``; a plugin model type's unexpected exception becomes one clear ModelError."""
    try:
        return call(*args)
    except RfmError:
        raise
    except Exception as exc:
        if is_core(model_type):
            raise  # a fault in rfm itself keeps its traceback
        raise plugin_failure(model_type, model_id, where, exc) from exc


def in_users_file(exc: RfmError, where: str, origin: str) -> RfmError:
    """``exc`` of an inherited model, its message naming ``origin`` (the user's tenant file)
    first and the base's file (``where`` names it) after. The exception keeps its type."""
    base_file, _, model = where.partition(": model ")
    theirs = f"{origin}: model {model} (inherited through extends, defined in {base_file})"
    message = str(exc)
    text = message.replace(where, theirs, 1) if where in message else f"{theirs}: {message}"
    new = type(exc).__new__(type(exc))
    new.__dict__.update(exc.__dict__)
    new.args = (text,)
    return new


def compute_rows(
    tenant: Tenant, model: Model, ctx: ComputeContext, years: Sequence[int]
) -> pl.DataFrame:
    """``model.compute(ctx, years)``, its failures said as the user can act on them: a plugin's
    unexpected exception as "plugin X, model Y: …", an inherited model's error in the user's
    file."""
    where = model.config.where
    try:
        return guarded(type(model), model.id, where, model.compute, ctx, years)
    except RfmError as exc:
        if tenant.origin and where and not where.startswith(f"{tenant.origin}:"):
            raise in_users_file(exc, where, tenant.origin) from None
        raise
