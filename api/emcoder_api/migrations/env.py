"""Alembic environment: runs on the connection `db.upgrade_schema` passes in (no alembic.ini)."""

from __future__ import annotations

from alembic import context

from emcoder_api.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reachable through the alembic CLI
    raise RuntimeError("run migrations through emcoder_api.db.upgrade_schema (the app does at start)")

context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
