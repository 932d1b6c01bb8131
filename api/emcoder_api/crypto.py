"""Seal note-derived text at rest: Fernet when a key is configured, a plain marker otherwise.

Every stored value carries its scheme ("fernet:" or "plain:"), so switching encryption on
later keeps old rows readable, and a sealed row read without the key fails loudly.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

PLAIN = "plain:"
FERNET = "fernet:"


class SealError(RuntimeError):
    """A stored value cannot be opened (missing or wrong key). A server fault, not a client's."""


class Protector:
    def __init__(self, keys: list[str]) -> None:
        self._fernet = MultiFernet([Fernet(k) for k in keys]) if keys else None

    @property
    def encrypts(self) -> bool:
        return self._fernet is not None

    def seal(self, text: str) -> str:
        if self._fernet is None:
            return PLAIN + text
        return FERNET + self._fernet.encrypt(text.encode("utf-8")).decode("ascii")

    def open(self, stored: str) -> str:
        if stored.startswith(PLAIN):
            return stored[len(PLAIN):]
        if stored.startswith(FERNET):
            if self._fernet is None:
                raise SealError("stored data is encrypted but EMCODER_ENCRYPTION_KEY is not set")
            try:
                return self._fernet.decrypt(stored[len(FERNET):].encode("ascii")).decode("utf-8")
            except InvalidToken:
                raise SealError("stored data cannot be decrypted with the configured key(s)") from None
        raise SealError("stored data has an unknown scheme")

    def seal_optional(self, text: str | None) -> str | None:
        return None if text is None else self.seal(text)

    def open_optional(self, stored: str | None) -> str | None:
        return None if stored is None else self.open(stored)
