"""The release gate (409 listing pending items) and read-only encounters after release."""

from __future__ import annotations

from api_helpers import NOTE_V2, accept_all, decide, error_code, submit


def test_release_refused_while_items_pending(client, auth):
    enc = submit(client, auth["physician"])
    first = enc["items"][0]["id"]
    decide(client, auth["coder"], enc["id"], first)
    response = client.post(f"/encounters/{enc['id']}/release", headers=auth["coder"])
    assert response.status_code == 409 and error_code(response) == "unresolved_items"
    assert response.json()["error"]["items"] == [i["id"] for i in enc["items"][1:]]
    export = client.get(f"/encounters/{enc['id']}/export", headers=auth["coder"])
    assert export.status_code == 409 and error_code(export) == "not_released"


def test_release_makes_encounter_read_only(client, auth):
    enc = submit(client, auth["physician"])
    coder = auth["coder"]
    accept_all(client, coder, enc)
    assert client.post(f"/encounters/{enc['id']}/release", headers=coder).status_code == 200
    item = enc["items"][0]["id"]
    refused = [
        decide(client, coder, enc["id"], item, "reject", reason="late change"),
        client.post(f"/encounters/{enc['id']}/items", headers=coder,
                    json={"kind": "icd10cm", "code": "E78.5", "reason": "late"}),
        client.post(f"/encounters/{enc['id']}/versions", headers=auth["physician"], json={"note": NOTE_V2}),
        client.post(f"/encounters/{enc['id']}/release", headers=coder),
    ]
    for response in refused:
        assert response.status_code == 409, response.text
        assert error_code(response) == "encounter_released"
    after = client.get(f"/encounters/{enc['id']}", headers=auth["auditor"]).json()
    assert after["status"] == "released" and all(i["status"] == "accepted" for i in after["items"])
    assert client.get(f"/encounters/{enc['id']}/export", headers=auth["physician"]).status_code == 200


def test_release_with_everything_rejected_gives_empty_code_set(client, auth):
    enc = submit(client, auth["physician"])
    for item in enc["items"]:
        decide(client, auth["coder"], enc["id"], item["id"], "reject", reason="unsupported")
    assert client.post(f"/encounters/{enc['id']}/release", headers=auth["coder"]).status_code == 200
    export = client.get(f"/encounters/{enc['id']}/export", headers=auth["coder"]).json()
    assert export["codes"] == [] and export["em"] == [] and export["icd10cm"] == []
