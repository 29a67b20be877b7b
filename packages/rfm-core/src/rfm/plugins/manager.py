"""The plugin host: a typed facade over ``pm.hook`` that survives broken plugins.

Plugins are found through the ``rfm`` entry-point group. Each is loaded and each hook is called
one plugin at a time, so a plugin that fails to import, fails :meth:`check_pending`, or raises
inside a hook is named in a warning and listed as broken, and every other plugin keeps working.
What a plugin registered in a hook that then raised is discarded: no half contributions.
Core code never calls ``pm.hook.x(...)`` directly; it asks this facade.

"Raises" means anything (:mod:`rfm.plugins.guard`): ``sys.exit()`` or a ``KeyboardInterrupt`` the
plugin raised itself break that plugin, not rfm; a real Ctrl-C still stops rfm. A tenant a plugin
packages that fails to load, or a report section that raises, ends in one clear error naming
the plugin. With ``import_budget`` (``rfm --help``), plugins still importing after that many
seconds are skipped with a warning instead of delaying the help.
"""

from __future__ import annotations

import importlib.util
import sys
import time
import warnings
from collections.abc import Callable, Iterable, MutableMapping
from types import ModuleType
from typing import TYPE_CHECKING, Any

import attrs
import click
import pluggy

from rfm.config import check_name
from rfm.deferred import Deferred, LazyTable
from rfm.errors import ConfigError, PluginError, RfmError
from rfm.plugins import hookspecs
from rfm.plugins.entry_points import entry_points
from rfm.plugins.guard import describe, guarded, load_in_thread
from rfm.registry import Registry, TenantDefinition

if TYPE_CHECKING:
    from rfm.io.readers import Reader

ENTRY_POINT_GROUP = "rfm"


class PluginWarning(UserWarning):
    """A plugin failed to load or raised in a hook; it is listed as broken."""


@attrs.frozen
class PluginInfo:
    """One plugin as ``rfm plugins`` lists it."""

    name: str
    package: str
    version: str
    hooks: tuple[str, ...]
    status: str = "ok"
    error: str = ""


class PluginHost:
    """Loads plugins and gathers their contributions into a :class:`~rfm.registry.Registry`."""

    def __init__(
        self,
        *,
        entry_points: bool = True,
        plugins: Iterable[tuple[str, Any]] = (),
        on_broken: Callable[[str], None] | None = None,
        import_budget: float | None = None,
    ) -> None:
        """Load the plugins; ``on_broken(message)`` is told of each broken one (else a warning).

        ``import_budget``: at most this many seconds for all plugin imports together; a plugin
        not imported by then is skipped (listed as broken: "still importing").
        """
        self._on_broken = on_broken
        self._import_budget = import_budget
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self._packages: dict[str, tuple[str, str]] = {}
        self.broken: dict[str, str] = {}
        self.conflicted: dict[str, list[str]] = {}
        """Plugins that register a name another plugin registers too, with what clashes."""
        self._deferred: dict[str, list[tuple[str, Deferred]]] = {}
        """Each plugin's registrations by name (kind, entry): ``rfm plugins`` looks for their
        modules without importing them."""
        if entry_points:
            self._load_entry_points()
        for name, plugin in plugins:
            self.add(name, plugin)
        self._registry: Registry | None = None

    # -- loading ----------------------------------------------------------------------------

    def _load_entry_points(self) -> None:
        """Import every plugin in a worker thread and wait for each (within the budget).

        In a worker thread, anything an import raises is the plugin's (a real Ctrl-C arrives in
        the main thread, which is waiting and stops): it breaks that plugin only.
        """
        found = sorted(entry_points(ENTRY_POINT_GROUP), key=lambda e: e.name)
        loading = []
        for ep in found:
            self._packages[ep.name] = (ep.package, ep.version)
            loading.append((ep, load_in_thread(ep.load)))
        deadline = None if self._import_budget is None else time.monotonic() + self._import_budget
        for ep, job in loading:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not job.wait(left):
                self._mark_broken(
                    ep.name,
                    f"still importing {ep.value} after {self._import_budget:g} s; skipped here "
                    "(its commands are not listed; a command that needs it waits for it)",
                )
            elif job.error is not None:
                self._mark_broken(ep.name, f"failed to load {ep.value}: {describe(job.error)}")
            else:
                self.add(ep.name, job.value)

    def add(self, name: str, plugin: ModuleType | object) -> None:
        """Register ``plugin`` under ``name`` and check its hooks against the specs."""
        if name in self.broken:
            return
        try:
            self.pm.register(plugin, name=name)
            self.pm.check_pending()
        except Exception as exc:  # pluggy raises PluginValidationError and ValueError
            if self.pm.is_registered(plugin):
                self.pm.unregister(plugin)
            self._mark_broken(name, f"invalid hooks: {exc}")

    def _mark_broken(self, name: str, error: str) -> None:
        self.broken[name] = error
        message = f"rfm plugin {name!r} is broken and was skipped: {error}"
        if self._on_broken is not None:
            self._on_broken(message)
        else:
            warnings.warn(message, PluginWarning, stacklevel=3)

    # -- calling hooks, one plugin at a time -------------------------------------------------

    def _call(
        self,
        hook_name: str,
        make_kwargs: Callable[[list[Any]], dict[str, Any]],
        accept: Callable[[str, list[Any]], None],
    ) -> None:
        hook = getattr(self.pm.hook, hook_name)
        for impl in reversed(hook.get_hookimpls()):
            if impl.plugin_name in self.broken:
                continue
            collected: list[Any] = []
            try:
                guarded(impl.function, **make_kwargs(collected))
                accept(impl.plugin_name, collected)
            except Exception as exc:  # a plugin's bug must not take the others down
                self._mark_broken(impl.plugin_name, f"raised in {hook_name}: {describe(exc)}")

    def _gather(self, hook_name: str, accept: Callable[[str, list[Any]], None]) -> None:
        self._call(hook_name, lambda bucket: {"register": bucket.append}, accept)

    @property
    def registry(self) -> Registry:
        """Everything the working plugins registered (gathered once)."""
        if self._registry is None:
            self._registry = self._build_registry()
        return self._registry

    def _build_registry(self) -> Registry:
        owners: dict[tuple[str, str], str] = {}

        def loaded(
            kind: str, what: str, is_it: Callable[[Any], bool], name_of: Callable[[Any], str]
        ) -> Callable[[str, Deferred], Any]:
            """Import a deferred entry and check that its object is what the name promised;
            any failure is a PluginError naming the plugin."""

            def check(name: str, entry: Deferred) -> Any:
                plugin = owners.get((kind, name), "?")
                try:
                    item = entry.load()
                except PluginError as exc:
                    raise PluginError(f"plugin {plugin!r}: {kind} {exc}") from None
                if not is_it(item):
                    raise PluginError(f"plugin {plugin!r} registered {item!r}, not a {what}")
                if name_of(item) != name:
                    raise PluginError(
                        f"plugin {plugin!r} registered the {kind} {name!r}, but the object "
                        f"imported for it is named {name_of(item)!r}"
                    )
                if kind == "reader" and tuple(item.suffixes) != entry.suffixes:
                    raise PluginError(
                        f"plugin {plugin!r} registered the reader {name!r} for "
                        f"{_listed(entry.suffixes)}, but the reader imported for it reads "
                        f"{_listed(item.suffixes)}; the suffixes decide which reader reads a "
                        "file before it is imported, so they must be the same"
                    )
                return item

            return check

        reader_suffixes: dict[str, list[str]] = {}  # every reader's, a refused one's too
        registry = Registry(
            model_types=LazyTable(
                loaded("model type", "Model type", _is_model_type, lambda t: t.type_name)
            ),
            readers=LazyTable(loaded("reader", "Reader", _is_reader, lambda r: r.name)),
            schemas=LazyTable(loaded("schema", "SchemaSpec", _is_schema, lambda s: s.name)),
        )

        def claim(
            kind: str, name: str, plugin: str, table: MutableMapping[str, Any], item: Any
        ) -> None:
            """Register ``item`` as ``name``; a name two plugins register is nobody's."""
            if not isinstance(name, str) or not name:
                raise PluginError(f"plugin {plugin!r} registered a {kind} named {name!r}, not text")
            first = owners.get((kind, name))
            if first is not None and first != plugin:
                registry.conflicts[(kind, name)] = (first, plugin)
                return
            owners[(kind, name)] = plugin
            table[name] = item
            if isinstance(item, Deferred):
                self._deferred.setdefault(plugin, []).append((kind, item))

        def model_types(plugin: str, items: list[Any]) -> None:
            for item in items:
                if isinstance(item, Deferred):
                    claim("model type", item.name, plugin, registry.model_types, item)
                    continue
                if not _is_model_type(item):
                    raise PluginError(f"plugin {plugin!r} registered {item!r}, not a Model type")
                claim("model type", item.type_name, plugin, registry.model_types, item)

        def tenants(plugin: str, items: list[Any]) -> None:
            for item in items:
                if not isinstance(item, TenantDefinition):
                    raise PluginError(
                        f"plugin {plugin!r} registered {item!r}, not a TenantDefinition"
                    )
                try:
                    check_name(item.id, "tenant id")
                except ConfigError as exc:
                    raise PluginError(f"plugin {plugin!r} registered a tenant: {exc}") from None
                owner = item.plugin or plugin
                owned = attrs.evolve(
                    item, plugin=owner, load=_guarded_loader(item.id, owner, item.load)
                )
                claim("tenant", item.id, plugin, registry.tenants, owned)

        def readers(plugin: str, items: list[Any]) -> None:
            for item in items:
                if not (isinstance(item, Deferred) or _is_reader(item)):
                    raise PluginError(f"plugin {plugin!r} registered {item!r}, not a Reader")
                claim("reader", item.name, plugin, registry.readers, item)
                reader_suffixes.setdefault(item.name, []).extend(item.suffixes)

        def schemas(plugin: str, items: list[Any]) -> None:
            for item in items:
                if not (isinstance(item, Deferred) or _is_schema(item)):
                    raise PluginError(f"plugin {plugin!r} registered {item!r}, not a SchemaSpec")
                claim("schema", item.name, plugin, registry.schemas, item)

        def report_sections(plugin: str, items: list[Any]) -> None:
            for item in items:
                if not callable(item):
                    raise PluginError(
                        f"plugin {plugin!r} registered {item!r} as a report section, not a callable"
                    )
                registry.report_sections.append(_GuardedSection(plugin, item))

        for hook, accept in (
            ("register_model_types", model_types),
            ("register_report_sections", report_sections),
            ("register_readers", readers),
            ("register_schemas", schemas),
            ("register_tenants", tenants),
        ):
            self._gather(hook, accept)
        # A file suffix two plugins' readers claim is a conflict too: otherwise the first
        # reader registered would read every .csv file, whatever the other plugin meant.
        claims: dict[str, list[str]] = {}
        readers_table = registry.readers
        assert isinstance(readers_table, LazyTable)
        for name in readers_table:  # suffixes as registered: a deferred reader is not imported
            for suffix in readers_table.registered(name).suffixes:
                claims.setdefault(suffix, []).append(name)
        refusing: dict[str, Reader] = {}
        for suffix, names in claims.items():
            plugins = list(dict.fromkeys(owners[("reader", n)] for n in names))
            if len(plugins) > 1:
                registry.conflicts[("file suffix", suffix)] = (plugins[0], plugins[1])
                refusing[f"{suffix} (claimed twice)"] = _refusing(
                    readers_table, names[0], f"{suffix} (claimed twice)", (suffix,),
                    registry.conflict("file suffix", suffix),
                )  # fmt: skip
        if refusing:  # looked at first, so a claimed suffix is never read by either plugin
            registry.readers = readers_table.placed_first(refusing)
        for (kind, name), (first, second) in registry.conflicts.items():
            for plugin, other in ((first, second), (second, first)):
                self.conflicted.setdefault(plugin, []).append(
                    f"registers {kind} {name!r}, which plugin {other!r} registers too; "
                    f"{name!r} is unusable until one of them is uninstalled"
                )
            if kind == "reader":
                table = registry.readers
                assert isinstance(table, LazyTable)
                # both plugins' suffixes: a file either meant to read is refused alike
                suffixes = tuple(dict.fromkeys(reader_suffixes[name]))
                registry.readers[name] = _refusing(
                    table, name, name, suffixes, registry.conflict(kind, name)
                )
        return registry

    def add_commands(self, cli: click.Group) -> None:
        """Let every working plugin add its commands to ``cli``.

        A plugin may not replace a command that rfm or another plugin already has: the first
        one stays, and the plugin that tried is listed as broken, naming both.
        """
        owner = dict.fromkeys(cli.commands, "rfm")
        before: dict[str, click.Command] = {}

        def snapshot(_: list[Any]) -> dict[str, Any]:
            before.clear()
            before.update(cli.commands)
            return {"cli": cli}

        def check(plugin: str, _items: list[Any]) -> None:
            clashes = [
                name for name, command in before.items() if cli.commands.get(name) is not command
            ]
            for name in clashes:
                cli.commands[name] = before[name]
            for name in cli.commands:
                owner.setdefault(name, plugin)
            if clashes:
                raise PluginError(
                    f"tried to replace the command(s) {', '.join(clashes)} of "
                    f"{', '.join(sorted({owner[n] for n in clashes}))}"
                )

        self._call("register_commands", snapshot, check)

    # -- listing ------------------------------------------------------------------------------

    def plugins(self) -> list[PluginInfo]:
        """Every plugin found, working or broken, with its package, version and hooks."""
        _ = self.registry  # calling the hooks is what reveals plugins that raise in them
        infos = []
        for name, plugin in self.pm.list_name_plugin():
            package, version = self._packages.get(name, (name, ""))
            hooks = tuple(sorted(h.name for h in self.pm.get_hookcallers(plugin) or ()))
            status, error = ("broken", self.broken[name]) if name in self.broken else ("ok", "")
            if status == "ok" and name in self.conflicted:
                status, error = "conflict", "; ".join(self.conflicted[name])
            if status == "ok" and (missing := self._missing_modules(name)):
                status, error = "missing", "; ".join(missing)
            infos.append(PluginInfo(name, package, version, hooks, status, error))
        for name, error in self.broken.items():
            if not any(i.name == name for i in infos):
                package, version = self._packages.get(name, (name, ""))
                infos.append(PluginInfo(name, package, version, (), "broken", error))
        return sorted(infos, key=lambda i: i.name)

    def _missing_modules(self, plugin: str) -> list[str]:
        """What ``plugin`` registers by name in a module that is not installed.

        Nothing is imported to find out (``rfm plugins`` stays light), so a module that is
        there but fails when imported is only found when its name is first used.
        """
        return [
            f"registers {kind} {entry.name!r} at {entry.target!r}, but no module "
            f"{entry.target.partition(':')[0]!r} is installed; {entry.name!r} is unusable"
            for kind, entry in self._deferred.get(plugin, [])
            if _certainly_missing(entry.target.partition(":")[0])
        ]


def _certainly_missing(module: str) -> bool:
    """Whether ``module`` is certainly not installed, found without importing anything: each
    package on its path is looked for while its parent is already imported; where finding out
    would mean importing a package, the answer is False (not known to be missing)."""
    parts = module.split(".")
    for depth in range(1, len(parts) + 1):
        name = ".".join(parts[:depth])
        if name in sys.modules:
            continue
        parent = ".".join(parts[: depth - 1])
        if parent and parent not in sys.modules:
            return False
        try:
            found = importlib.util.find_spec(name)
        except ModuleNotFoundError:  # the parent is a module, not a package
            return True
        except Exception:  # a finder's own trouble: not known
            return False
        return found is None
    return False


def _guarded_loader(
    tenant_id: str, plugin: str, load: Callable[[Registry], Any]
) -> Callable[[Registry], Any]:
    """A tenant's loader whose failure is one clear error naming the tenant and its plugin."""

    def guarded_load(registry: Registry) -> Any:
        try:
            return guarded(load, registry)
        except RfmError:
            raise  # already a clear message (e.g. the tenant file's line and key)
        except Exception as exc:
            raise PluginError(
                f"tenant {tenant_id!r} of plugin {plugin!r} could not be loaded: {describe(exc)}"
            ) from None

    return guarded_load


class _GuardedSection:
    """A plugin's report section: what it raises or returns wrongly is one error naming it."""

    def __init__(self, plugin: str, provider: Callable[..., Any]) -> None:
        self.plugin, self.provider = plugin, provider
        self.name = getattr(provider, "__qualname__", repr(provider))

    def __call__(self, result: Any, registry: Any, lang: str) -> list[tuple[str, str, str]]:
        try:
            sections = guarded(self.provider, result, registry, lang)
            checked = [tuple(s) for s in sections]
        except RfmError:
            raise
        except Exception as exc:
            raise PluginError(
                f"plugin {self.plugin!r}: report section {self.name} raised {describe(exc)}"
            ) from None
        if not all(len(s) == 3 and all(isinstance(x, str) for x in s) for s in checked):
            raise PluginError(
                f"plugin {self.plugin!r}: report section {self.name} returned something other "
                "than (id, title, HTML) text triples"
            )
        return checked


# What a registered object is. Imported only when a plugin registers the object itself (its own
# module has imported Polars then anyway); a Deferred entry is checked when first imported.


def _is_model_type(item: Any) -> bool:
    from rfm.models.base import Model

    return isinstance(item, type) and issubclass(item, Model)


def _is_reader(item: Any) -> bool:
    from rfm.io.readers import Reader

    return isinstance(item, Reader)


def _is_schema(item: Any) -> bool:
    from rfm.schemas.spec import SchemaSpec

    return isinstance(item, SchemaSpec)


def _refusing(
    table: LazyTable[Reader], name: str, new_name: str, suffixes: tuple[str, ...], error: Exception
) -> Reader:
    """Reader ``name`` made unusable under ``new_name``: reading with it raises ``error``.

    A deferred reader that does not even import still becomes such a refusal (without its
    options), so that a conflict is what the user is told, whichever reader is broken.
    """
    from rfm.io.readers import Reader

    try:
        base = table[name]
    except PluginError:
        base = Reader(name, suffixes, _never_read)
    return attrs.evolve(base, name=new_name, suffixes=suffixes).refusing(error)


def _listed(suffixes: Iterable[str]) -> str:
    return ", ".join(suffixes) or "no suffixes"


def _never_read(*_: Any, **__: Any) -> Any:
    raise AssertionError("replaced by Reader.refusing")  # pragma: no cover
