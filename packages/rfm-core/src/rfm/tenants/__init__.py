"""Tenants: who a run is for, from a plugin or from a TOML file a municipality writes."""
