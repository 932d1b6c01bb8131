"""Initial schema: tokens, encounters, note versions, review items, decisions, idempotency, audit chain.

Revision ID: 0001_initial
Revises:
Create Date: 2026-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("tenant", sa.String(100), nullable=False, index=True),
        sa.Column("secret_sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("created_by", sa.String(200)),
        sa.Column("revoked_at", TZ),
    )
    op.create_table(
        "encounters",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("tenant", sa.String(100), nullable=False, index=True),
        sa.Column("submitted_by", sa.String(200), nullable=False, index=True),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("coder", sa.String(200), index=True),
        sa.Column("date_of_service", sa.Date, index=True),
        sa.Column("setting", sa.String(40)),
        sa.Column("current_version", sa.Integer, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("released_at", TZ),
        sa.Column("released_by", sa.String(200)),
    )
    op.create_table(
        "note_versions",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("encounter_id", sa.String(40), sa.ForeignKey("encounters.id"), nullable=False, index=True),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("note_sealed", sa.Text, nullable=False),
        sa.Column("note_sha256", sa.String(64), nullable=False),
        sa.Column("note_bytes", sa.Integer, nullable=False),
        sa.Column("context", sa.JSON, nullable=False),
        sa.Column("analysis_sealed", sa.Text, nullable=False),
        sa.Column("emcoder_version", sa.String(40), nullable=False),
        sa.Column("ruleset_version", sa.String(40), nullable=False),
        sa.Column("ruleset_sha256", sa.String(64), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.UniqueConstraint("encounter_id", "number"),
    )
    op.create_table(
        "review_items",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("encounter_id", sa.String(40), sa.ForeignKey("encounters.id"), nullable=False, index=True),
        sa.Column("version_number", sa.Integer, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("code", sa.String(40)),
        sa.Column("label_sealed", sa.Text, nullable=False),
        sa.Column("rationale_sealed", sa.Text),
        sa.Column("draft_sealed", sa.Text),
        sa.Column("evidence", sa.JSON, nullable=False),
        sa.Column("rule_id", sa.String(200)),
        sa.Column("origin", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("final_code", sa.String(40)),
        sa.Column("ruleset_version", sa.String(40), nullable=False),
        sa.Column("ruleset_sha256", sa.String(64), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "decisions",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("item_id", sa.String(40), sa.ForeignKey("review_items.id"), nullable=False, index=True),
        sa.Column("encounter_id", sa.String(40), sa.ForeignKey("encounters.id"), nullable=False, index=True),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("replacement_code", sa.String(40)),
        sa.Column("decided_by", sa.String(200), nullable=False),
        sa.Column("token_id", sa.String(40), nullable=False),
        sa.Column("decided_at", TZ, nullable=False),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("token_id", sa.String(40), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("request_sha256", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer, nullable=False),
        sa.Column("response_sealed", sa.Text, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.UniqueConstraint("token_id", "key"),
    )
    op.create_table(
        "audit_records",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("token_id", sa.String(40)),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("tenant", sa.String(100), nullable=False, index=True),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("before", sa.Text),
        sa.Column("after", sa.Text),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("last_id", sa.Integer, nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
    )
    op.bulk_insert(head, [{"id": 1, "last_id": 0, "last_hash": "0" * 64}])


def downgrade() -> None:
    for table in ("audit_head", "audit_records", "idempotency_keys", "decisions", "review_items",
                  "note_versions", "encounters", "api_tokens"):
        op.drop_table(table)
