"""The audit trail: every action recorded without note text, a verifiable hash chain that names
the first edited or missing record, and no forks under concurrent requests."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from api_helpers import MARKER, NOTE_V2, accept_all, decide, submit
from emcoder_api import audit
from emcoder_api.cli import app as cli


def _verify_cli(database_url: str, tmp_path):
    env = {"EMCODER_DATABASE_URL": database_url, "EMCODER_DATA_DIR": str(tmp_path)}
    return CliRunner().invoke(cli, ["audit", "verify"], env=env)


def _sql(app, statement: str) -> None:
    with app.state.engine.begin() as conn:
        conn.execute(text(statement))


@pytest.fixture
def history(client, auth):
    """A realistic trail: submit, read, decide, add, version, release, export."""
    enc = submit(client, auth["physician"])
    client.get(f"/encounters/{enc['id']}", headers=auth["coder"])
    decide(client, auth["coder"], enc["id"], enc["items"][0]["id"], "reject", reason="not supported")
    client.post(f"/encounters/{enc['id']}/items", headers=auth["coder"],
                json={"kind": "icd10cm", "code": "E78.5", "reason": "missed"})
    v2 = client.post(f"/encounters/{enc['id']}/versions", json={"note": NOTE_V2}, headers=auth["physician"]).json()
    accept_all(client, auth["coder"], v2)
    client.post(f"/encounters/{enc['id']}/release", headers=auth["coder"])
    client.get(f"/encounters/{enc['id']}/export", headers=auth["coder"])
    return enc


def test_audit_chain_verifies_and_holds_no_note_text(app, client, auth, history, database_url, tmp_path):
    page = client.get("/audit?limit=500", headers=auth["auditor"]).json()
    actions = {r["action"] for r in page["data"]}
    assert {"token.create", "encounter.create", "encounter.read", "item.reject", "item.add", "encounter.version",
            "item.accept", "encounter.release", "encounter.export"} <= actions
    create = next(r for r in page["data"] if r["action"] == "encounter.create")
    assert create["actor"] == "dr-a" and create["role"] == "physician" and create["token_id"].startswith("tok_")
    assert create["target"] == f"encounter:{history['id']}" and len(create["after"]["note_sha256"]) == 64
    reject = next(r for r in page["data"] if r["action"] == "item.reject")
    assert reject["before"]["status"] == "pending" and reject["after"]["reason"] == "not supported"
    with app.state.engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM audit_records")).all()
    assert MARKER not in repr(rows) and "metformin" not in repr(rows)

    result = _verify_cli(database_url, tmp_path)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"audit chain intact ({len(rows)} records)"
    verdict = client.get("/audit/verify", headers=auth["auditor"]).json()
    assert verdict["intact"] and verdict["count"] == len(rows)


@pytest.mark.parametrize(("tamper", "broken"), [
    ("UPDATE audit_records SET actor = 'mallory' WHERE id = 5", 5),
    ("UPDATE audit_records SET after = '{\"status\":\"accepted\"}' WHERE id = 7", 7),
    ("DELETE FROM audit_records WHERE id = 6", 7),
    ("UPDATE audit_records SET at = '2020-01-01T00:00:00.000000+00:00' WHERE id = 4", 4),
])
def test_audit_verify_names_the_tampered_record(app, client, auth, history, database_url, tmp_path, tamper, broken):
    _sql(app, tamper)
    result = _verify_cli(database_url, tmp_path)
    assert result.exit_code == 1
    assert f"audit chain broken at record {broken}:" in result.output
    assert client.get("/audit/verify", headers=auth["auditor"]).json()["broken_id"] == broken


def test_audit_verify_notices_a_cut_tail(app, history, database_url, tmp_path):
    with app.state.sessions() as session:
        last = audit.verify(session).count
    _sql(app, f"DELETE FROM audit_records WHERE id = {last}")
    result = _verify_cli(database_url, tmp_path)
    assert result.exit_code == 1 and f"record {last}:" in result.output


def test_audit_chain_does_not_fork_under_concurrency(app, client, auth, database_url, tmp_path):
    encounters = [submit(client, auth["physician"]) for _ in range(3)]
    jobs = [(e["id"], i["id"]) for e in encounters for i in e["items"]] * 3

    def work(job):
        enc_id, item_id = job
        headers = auth["coder"] if int(item_id[-1], 16) % 2 else auth["coder_b"]
        return decide(client, headers, enc_id, item_id).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(work, jobs))
    assert statuses == [200] * len(jobs)
    with app.state.sessions() as session:
        verdict = audit.verify(session)
    assert verdict.intact, verdict.describe()
    result = _verify_cli(database_url, tmp_path)
    assert result.exit_code == 0 and "intact" in result.output


def test_audit_trail_is_tenant_scoped_and_auditor_only(client, auth, history):
    assert client.get("/audit", headers=auth["coder"]).status_code == 403
    mine = client.get("/audit?action=encounter.create", headers=auth["auditor"]).json()
    assert mine["count"] == 1 and mine["data"][0]["tenant"] == "t1"
    theirs = client.get("/audit?action=encounter.create", headers=auth["auditor_t2"]).json()
    assert theirs["count"] == 0
