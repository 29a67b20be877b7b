"""``rfm serve``: a local web application for what-ifs, with every number one click from its source.

The modules: :mod:`~rfm.serve.whatif` (changes of dated parameters as a scenario, and saving it
as a tenant file), :mod:`~rfm.serve.sessions` (each visitor's unsaved what-if),
:mod:`~rfm.serve.compute` (runs, comparisons and frame build-ups, cached),
:mod:`~rfm.serve.pages` (what the pages show), :mod:`~rfm.serve.app` (the routes and guards)
and :mod:`~rfm.serve.command` (the command, which starts uvicorn). Nothing here is imported
until ``rfm serve`` runs: ``rfm --help`` loads no web framework.
"""
