"""Persistence: the note is stored once per version, sealed with Fernet when a key is set; the
schema comes from Alembic; SQLite runs in WAL mode with synchronous=FULL."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import text

from api_helpers import MARKER, NOTE, submit
from conftest import make_tokens
from emcoder_api.crypto import Protector, SealError
from emcoder_api.main import create_app
from emcoder_api.settings import Settings

SEALED_COLUMNS = ["SELECT note_sealed, analysis_sealed FROM note_versions",
                  "SELECT label_sealed, rationale_sealed, draft_sealed FROM review_items",
                  "SELECT response_sealed FROM idempotency_keys"]


def _dump(app) -> str:
    with app.state.engine.connect() as conn:
        return repr([conn.execute(text(q)).all() for q in SEALED_COLUMNS])


def test_storage_encrypted_at_rest(app, client, auth):
    enc = submit(client, auth["physician"])
    client.post("/encounters", json={"note": NOTE}, headers={**auth["physician"], "Idempotency-Key": "k1"})
    dump = _dump(app)
    assert MARKER not in dump and "metformin" not in dump and "fernet:" in dump and "plain:" not in dump
    with app.state.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM note_versions")).scalar_one() == 2
    assert client.get(f"/encounters/{enc['id']}", headers=auth["coder"]).json()["note"] == NOTE


def test_storage_plain_without_key_and_key_can_be_added_later(tmp_path):
    url = f"sqlite:///{tmp_path / 'emcoder.sqlite3'}"
    plain = create_app(Settings(data_dir=tmp_path, database_url=url))
    with TestClient(plain) as c:
        auth = make_tokens(plain)
        enc = submit(c, auth["physician"])
    assert "plain:" in _dump(plain)
    key = Fernet.generate_key().decode()
    keyed = create_app(Settings(data_dir=tmp_path, database_url=url, encryption_key=key))
    with TestClient(keyed) as c:
        assert c.get(f"/encounters/{enc['id']}", headers=auth["coder"]).json()["note"] == NOTE


def test_storage_sqlite_pragmas_and_default_location(tmp_path, monkeypatch):
    monkeypatch.setenv("EMCODER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("EMCODER_DATABASE_URL", raising=False)
    settings = Settings()
    assert settings.database_url == f"sqlite:///{tmp_path / 'data' / 'emcoder.sqlite3'}"
    app = create_app(settings)
    assert (tmp_path / "data" / "emcoder.sqlite3").exists()
    with app.state.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar_one() == 2  # FULL
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar_one() == "0001_initial"
    create_app(settings).state.engine.dispose()  # a second start upgrades nothing and fails nothing
    app.state.engine.dispose()


def test_storage_settings_refuse_a_bad_key(tmp_path):
    with pytest.raises(ValidationError) as info:
        Settings(data_dir=tmp_path, encryption_key="not-a-key")
    assert "not-a-key" not in str(info.value)


def test_storage_protector_round_trip_and_wrong_key():
    sealed = Protector([Fernet.generate_key().decode()]).seal(NOTE)
    with pytest.raises(SealError):
        Protector([Fernet.generate_key().decode()]).open(sealed)
    with pytest.raises(SealError):
        Protector([]).open(sealed)
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    assert Protector([new, old]).open(Protector([old]).seal(NOTE)) == NOTE  # key rotation


def test_storage_schema_is_per_database(database_url, tmp_path):
    app = create_app(Settings(data_dir=Path(tmp_path), database_url=database_url))
    with app.state.engine.connect() as conn:
        head = conn.execute(text("SELECT last_id, last_hash FROM audit_head")).one()
    assert head == (0, "0" * 64)
    app.state.engine.dispose()
