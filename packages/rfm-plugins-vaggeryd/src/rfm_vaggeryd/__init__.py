"""Vaggeryd kommun's KF→socialnämnd allocation models (ÄO, IFO, LSS, HSL).

An rfm plugin: it imports only the public API of `rfm` and is found through the `rfm`
entry-point group (`rfm plugins` lists it).
"""

__version__ = "0.1.0"
