"""What can go wrong when rfm talks to Kolada, as a taxonomy under :class:`rfm.RfmError`.

Every one is a problem a user can act on (wrong id, no network, empty cache), so the command line
prints it as one message and exits 1.
"""

from __future__ import annotations

import rfm


class KoladaError(rfm.RfmError):
    """A Kolada request could not give a complete, trustworthy answer."""


class KoladaUnavailable(KoladaError):
    """Kolada did not answer usefully (timeouts, 429, 5xx, broken JSON) after every retry."""


class KoladaRequestError(KoladaError):
    """Kolada refused a request (a 4xx other than 429): a wrong id, a path it does not know."""


class KoladaPagingError(KoladaError):
    """The paging links went in a circle or left the Kolada server."""


class UnknownKoladaId(KoladaError):
    """A KPI, municipality or group id that Kolada does not have."""


class NotInCache(KoladaError):
    """``--offline`` was asked for, and the cache lacks some of the answers; names them."""

    def __init__(self, message: str, missing: list[str]) -> None:
        super().__init__(message)
        self.missing = missing


class MissingValue(KoladaError):
    """Kolada has no value where a calculation needs one (a missing value is never zero)."""
