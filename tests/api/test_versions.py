"""Re-analysis of an edited note: a new version with new items; earlier decisions stay readable."""

from __future__ import annotations

from api_helpers import NOTE, NOTE_V2, decide, error_code, submit


def test_versions_keep_earlier_decisions(client, auth):
    enc = submit(client, auth["physician"])
    v1_items = enc["items"]
    decide(client, auth["coder"], enc["id"], v1_items[0]["id"])
    decide(client, auth["coder"], enc["id"], v1_items[1]["id"], "reject", reason="not supported")

    response = client.post(f"/encounters/{enc['id']}/versions", json={"note": NOTE_V2}, headers=auth["physician"])
    assert response.status_code == 201, response.text
    v2 = response.json()
    assert v2["current_version"] == v2["version"] == 2 and [v["number"] for v in v2["versions"]] == [1, 2]
    assert v2["note"] == NOTE_V2 and v2["status"] == "in_review"
    assert v2["setting"] == "office"  # the context of version 1 carries over
    assert v2["items"] and all(i["status"] == "pending" and i["version"] == 2 for i in v2["items"])
    assert not {i["id"] for i in v2["items"]} & {i["id"] for i in v1_items}

    old = client.get(f"/encounters/{enc['id']}/versions/1", headers=auth["auditor"]).json()
    assert old["note"] == NOTE and old["version"] == 1 and old["current_version"] == 2
    statuses = {i["id"]: i["status"] for i in old["items"]}
    assert statuses[v1_items[0]["id"]] == "accepted" and statuses[v1_items[1]["id"]] == "rejected"
    assert all(statuses[i["id"]] == "superseded" for i in v1_items[2:])
    assert old["items"][1]["decisions"][0]["reason"] == "not supported"

    stale = decide(client, auth["coder"], enc["id"], v1_items[2]["id"])
    assert stale.status_code == 409 and error_code(stale) == "item_superseded"
    missing = client.get(f"/encounters/{enc['id']}/versions/3", headers=auth["coder"])
    assert missing.status_code == 404 and error_code(missing) == "version_not_found"


def test_versions_release_gate_covers_current_version_only(client, auth):
    enc = submit(client, auth["physician"])
    v2 = client.post(f"/encounters/{enc['id']}/versions", json={"note": NOTE_V2,
                     "encounter": {"setting": "office", "patient": "established", "payer": "medicare"}},
                     headers=auth["coder"]).json()
    assert any(i["code"] == "G2212" for i in v2["items"])  # Medicare's prolonged-service code
    gate = client.post(f"/encounters/{enc['id']}/release", headers=auth["coder"])
    assert sorted(gate.json()["error"]["items"]) == sorted(i["id"] for i in v2["items"])
    for item in v2["items"]:
        decide(client, auth["coder"], enc["id"], item["id"])
    assert client.post(f"/encounters/{enc['id']}/release", headers=auth["coder"]).status_code == 200
    assert client.get(f"/encounters/{enc['id']}/export", headers=auth["coder"]).json()["version"] == 2


def test_versions_only_own_physician_may_add(client, auth):
    enc = submit(client, auth["physician"])
    response = client.post(f"/encounters/{enc['id']}/versions", json={"note": NOTE_V2}, headers=auth["physician_b"])
    assert response.status_code == 404
