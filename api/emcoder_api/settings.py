"""Service configuration from the environment (prefix EMCODER_), typed and checked at start.

One place reads the environment, so nothing else calls `os.environ` (house style item 10).
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    """XDG data home (usually ~/.local/share) + /emcoder; EMCODER_DATA_DIR overrides it."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "emcoder"


class Settings(BaseSettings):
    # hide_input_in_errors: a rejected encryption key must not be printed back.
    model_config = SettingsConfigDict(env_prefix="EMCODER_", env_file=".env", extra="ignore",
                                      hide_input_in_errors=True)

    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str = ""  # empty: a SQLite file under data_dir
    encryption_key: SecretStr | None = None  # Fernet key(s), comma-separated: the first encrypts
    max_note_bytes: int = Field(default=200_000, gt=0)
    preload_pipeline: bool = False  # build the spaCy pipeline at start instead of on first note

    @field_validator("encryption_key")
    @classmethod
    def _fernet_keys(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        for key in value.get_secret_value().split(","):
            try:
                Fernet(key.strip())
            except ValueError:
                # Never echo the key itself.
                raise ValueError("EMCODER_ENCRYPTION_KEY is not a Fernet key (32 url-safe base64 bytes); "
                                 "make one with `python -c 'from cryptography.fernet import Fernet; "
                                 "print(Fernet.generate_key().decode())'`") from None
        return value

    @model_validator(mode="after")
    def _default_database(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{(self.data_dir / 'emcoder.sqlite3').expanduser()}"
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def fernet_keys(self) -> list[str]:
        if self.encryption_key is None:
            return []
        return [k.strip() for k in self.encryption_key.get_secret_value().split(",") if k.strip()]
