"""rfm's public API: every name it lists imports, and it lists every name it can import."""

from __future__ import annotations

import rfm


def test_every_public_name_resolves_and_is_listed():
    lazy = set(rfm._PUBLIC)  # the PEP 562 table behind `import rfm`
    assert set(rfm.__all__) >= lazy
    for name in rfm.__all__:
        assert getattr(rfm, name) is not None, name
