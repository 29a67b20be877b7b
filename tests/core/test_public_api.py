"""rfm's public API: every name it lists imports, and it lists every name it can import."""

from __future__ import annotations

import rfm


def test_every_public_name_resolves_and_is_listed():
    lazy = set(rfm._PUBLIC)  # the PEP 562 table behind `import rfm`
    assert set(rfm.__all__) >= lazy
    for name in rfm.__all__:
        assert getattr(rfm, name) is not None, name


def test_rfm_models_behaves_as_a_module_of_plain_imports():
    """rfm.models imports its model types on first use (PEP 562); to a plugin author it must
    look as it did when it imported them all: listed by dir(), the same objects each time,
    its submodules as attributes, and Python's "Did you mean" for a misspelt name."""
    import subprocess
    import sys

    code = (
        "import inspect, rfm.models as m\n"
        "assert m.rate_table.__name__ == 'rfm.models.rate_table'  # a submodule not yet imported\n"
        "names = {n for n, _ in inspect.getmembers(m)}\n"
        "assert set(m.__all__) <= names, set(m.__all__) - names\n"
        "assert m.BUILTIN_MODEL_TYPES is m.BUILTIN_MODEL_TYPES\n"
        "assert m.AgeBands is vars(m)['AgeBands'] and m.AgeBands in m.BUILTIN_MODEL_TYPES\n"
        "m.Agebands\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stderr.splitlines()[-1] == (
        "AttributeError: module 'rfm.models' has no attribute 'Agebands'. Did you mean: 'AgeBands'?"
    ), done.stderr
