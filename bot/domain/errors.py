"""Errors whose message is safe and useful to show to the member who caused them."""

from __future__ import annotations


class UserFacingError(Exception):
    """Raised by domain or adapter code when input is wrong; the message is shown ephemerally as-is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
