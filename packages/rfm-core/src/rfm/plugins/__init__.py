"""Plugins: hook specifications and the host that loads them."""

from rfm.plugins.hookspecs import hookimpl, hookspec
from rfm.plugins.manager import ENTRY_POINT_GROUP, PluginHost, PluginInfo, PluginWarning

__all__ = ["ENTRY_POINT_GROUP", "PluginHost", "PluginInfo", "PluginWarning", "hookimpl", "hookspec"]
