"""Engine and sessions for SQLite (default) or PostgreSQL, and schema upgrades at start.

SQLite: WAL + synchronous=FULL so an acknowledged commit survives a crash, and every transaction
begins IMMEDIATE (takes the write lock up front), so a read-then-write never fails half-way with
SQLITE_BUSY. PostgreSQL: writers serialize on the audit head row (`audit.lock`).
Parameters are hidden from logs and error messages: they carry note text.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATION_LOCK_ID = 0x656D636F  # "emco": one upgrader at a time on PostgreSQL


def make_engine(database_url: str) -> Engine:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return create_engine(url, hide_parameters=True, pool_pre_ping=True)
    if url.database and url.database != ":memory:":
        Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    engine = create_engine(url, hide_parameters=True,
                           connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record) -> None:  # a DB-API connection
        dbapi_conn.isolation_level = None  # SQLAlchemy, not the driver, emits BEGIN
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin_immediate(conn) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def upgrade_schema(engine: Engine) -> None:
    """`alembic upgrade head` on this engine; safe when several processes start together."""
    with resources.as_file(resources.files("emcoder_api") / "migrations") as location:
        cfg = Config()
        cfg.set_main_option("script_location", str(location))
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
