"""Fixtures for the review API: the real app on a real database, SQLite and PostgreSQL.

Every database-backed test runs twice (`database_url` is parametrized). The PostgreSQL leg runs
in a schema of its own, dropped afterwards, and is skipped with a message when no server answers
at 127.0.0.1:5432 (override with EMCODER_TEST_PG_URL). All log output of the session is written
to one file, which `test_zz_log_scan.py` searches for note text.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from api_helpers import bearer
from emcoder_api import audit
from emcoder_api.audit import Actor
from emcoder_api.main import create_app
from emcoder_api.services import tokens
from emcoder_api.settings import Settings

PG_CANDIDATES = ["postgresql+psycopg://postgres@127.0.0.1:5432/test",
                 "postgresql+psycopg://root@127.0.0.1:5432/test"]
DATABASES = ["sqlite", "postgresql"]


@pytest.fixture(scope="session", autouse=True)
def captured_logs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Everything logged at INFO or above (DEBUG for our packages, SQL statements included) goes to
    one file."""
    folder = tmp_path_factory.mktemp("logs")
    handler = logging.FileHandler(folder / "suite.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    levels = {"emcoder_api": logging.DEBUG, "uvicorn": logging.DEBUG, "fastapi": logging.DEBUG,
              "sqlalchemy.engine": logging.INFO}  # SQL statements, with their parameters hidden
    saved = {name: logging.getLogger(name).level for name in levels}
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
    yield folder
    root.removeHandler(handler)
    root.setLevel(previous)
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)
    handler.close()


@pytest.fixture(scope="session", autouse=True)
def warm_pipeline() -> None:
    """Build the spaCy pipeline once, so no single test pays for it."""
    from emcoder_api.services.analysis import warm_up

    warm_up()


def _postgres_base() -> str | None:
    try:
        import psycopg
    except ImportError:
        return None
    from sqlalchemy.engine import make_url

    candidates = [os.environ["EMCODER_TEST_PG_URL"]] if os.environ.get("EMCODER_TEST_PG_URL") else PG_CANDIDATES
    for url in candidates:
        u = make_url(url)
        try:
            psycopg.connect(host=u.host, port=u.port or 5432, dbname=u.database, user=u.username,
                            password=u.password, connect_timeout=3).close()
            return url
        except psycopg.Error:
            continue
    return None


_PG: dict[str, str | None] = {}


def postgres_base() -> str | None:
    if "url" not in _PG:
        _PG["url"] = _postgres_base()
    return _PG["url"]


def _psql(url: str, sql: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(url)
    with psycopg.connect(host=u.host, port=u.port or 5432, dbname=u.database, user=u.username,
                         password=u.password, autocommit=True) as conn:
        conn.execute(sql)


@contextmanager
def fresh_database(kind: str, folder: Path) -> Iterator[str]:
    """A URL to an empty database: a SQLite file in `folder`, or a new PostgreSQL schema."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'emcoder.sqlite3'}"
        return
    base = postgres_base()
    if base is None:
        given = os.environ.get("EMCODER_TEST_PG_URL")
        where = (make_url(given).render_as_string(hide_password=True) if given
                 else "127.0.0.1:5432, database test, user postgres or root")
        pytest.skip(f"PostgreSQL leg skipped: no server reachable ({where}) or psycopg not installed; "
                    "set EMCODER_TEST_PG_URL=postgresql+psycopg://user@host:port/db to run it")
    schema = f"emc_test_{uuid.uuid4().hex[:12]}"
    _psql(base, f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{base}?options=-csearch_path%3D{schema}"
    finally:
        _psql(base, f'DROP SCHEMA "{schema}" CASCADE')


@contextmanager
def running_app(database_url: str, folder: Path) -> Iterator[FastAPI]:
    application = create_app(Settings(data_dir=folder, database_url=database_url,
                                      encryption_key=Fernet.generate_key().decode()))
    try:
        yield application
    finally:
        application.state.engine.dispose()


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with fresh_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[FastAPI]:
    with running_app(database_url, tmp_path) as application:
        yield application


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


def issue(app: FastAPI, role: str, tenant: str, name: str) -> str:
    """A token created the way `emcoder token create` does it; returns the secret."""
    with app.state.sessions() as session:
        audit.lock(session)
        _, secret = tokens.issue(session, Actor(None, "test-operator", "operator", tenant), role, tenant, name)
        session.commit()
    return secret


def make_tokens(app: FastAPI) -> dict[str, dict[str, str]]:
    """Authorization headers: each role in tenant t1, a second physician and coder, and t2's tokens."""
    spec = {"physician": ("physician", "t1", "dr-a"), "physician_b": ("physician", "t1", "dr-b"),
            "coder": ("coder", "t1", "coder-c"), "coder_b": ("coder", "t1", "coder-d"),
            "auditor": ("auditor", "t1", "auditor-e"), "admin": ("admin", "t1", "admin-f"),
            "physician_t2": ("physician", "t2", "dr-x"), "coder_t2": ("coder", "t2", "coder-y"),
            "auditor_t2": ("auditor", "t2", "auditor-z"), "admin_t2": ("admin", "t2", "admin-w")}
    return {key: bearer(issue(app, *value)) for key, value in spec.items()}


@pytest.fixture
def auth(app: FastAPI) -> dict[str, dict[str, str]]:
    return make_tokens(app)


# Module-scoped variants, for modules whose tests only read (or do not collide): one app per
# database per module instead of one per test.

@pytest.fixture(scope="module", params=DATABASES)
def shared_app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    folder = tmp_path_factory.mktemp("shared")
    with fresh_database(request.param, folder) as url, running_app(url, folder) as application:
        yield application


@pytest.fixture(scope="module")
def shared_client(shared_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(shared_app) as c:
        yield c


@pytest.fixture(scope="module")
def shared_auth(shared_app: FastAPI) -> dict[str, dict[str, str]]:
    return make_tokens(shared_app)
