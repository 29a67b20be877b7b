"""What can go wrong between rfm and SCB, each a user error with one clear message."""

from __future__ import annotations

from collections.abc import Sequence

from rfm.errors import RfmError


class ScbError(RfmError):
    """A problem with an SCB request or answer."""


class ScbUnavailable(ScbError):
    """SCB did not answer usefully within the deadline and the retries."""


class ScbRequestError(ScbError):
    """SCB refused a request (HTTP 4xx other than 429): a table or code it does not have."""


class NotInCache(ScbError):
    """``--offline`` and an answer the cache does not hold."""

    def __init__(self, message: str, missing: Sequence[str]) -> None:
        super().__init__(message)
        self.missing = tuple(missing)
