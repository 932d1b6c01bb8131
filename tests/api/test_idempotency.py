"""Idempotency-Key: the same request replays its stored answer; a reused key is refused."""

from __future__ import annotations

from api_helpers import CONTEXT, NOTE, accept_all, error_code, submit


def test_idempotency_retry_replays_the_stored_response(client, auth):
    headers = {**auth["physician"], "Idempotency-Key": "note-42"}
    body = {"note": NOTE, "encounter": CONTEXT}
    first = client.post("/encounters", json=body, headers=headers)
    again = client.post("/encounters", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    assert client.get("/encounters", headers=auth["coder"]).json()["count"] == 1


def test_idempotency_key_reused_with_another_body(client, auth):
    headers = {**auth["physician"], "Idempotency-Key": "note-43"}
    assert client.post("/encounters", json={"note": NOTE, "encounter": CONTEXT}, headers=headers).status_code == 201
    other = client.post("/encounters", json={"note": NOTE + "\nAddendum: seen with daughter.",
                                             "encounter": CONTEXT}, headers=headers)
    assert other.status_code == 422 and error_code(other) == "idempotency_key_reused"
    assert other.json()["error"]["field"] == "Idempotency-Key"


def test_idempotency_decision_replay_survives_later_state(client, auth):
    enc = submit(client, auth["physician"])
    coder = {**auth["coder"], "Idempotency-Key": "decide-1"}
    url = f"/encounters/{enc['id']}/items/{enc['items'][0]['id']}/decision"
    first = client.post(url, json={"action": "accept"}, headers=coder)
    accept_all(client, auth["coder"], client.get(f"/encounters/{enc['id']}", headers=auth["coder"]).json())
    client.post(f"/encounters/{enc['id']}/release", headers=auth["coder"])
    # The encounter is released now, but the retry is the same request: same answer, no new decision.
    again = client.post(url, json={"action": "accept"}, headers=coder)
    assert (again.status_code, again.json()) == (first.status_code, first.json()) == (200, first.json())
    assert len(client.get(f"/encounters/{enc['id']}", headers=auth["coder"]).json()["items"][0]["decisions"]) == 1
    moved = client.post(f"/encounters/{enc['id']}/release", headers=coder)
    assert moved.status_code == 422 and error_code(moved) == "idempotency_key_reused"


def test_idempotency_keys_are_scoped_per_token(client, auth):
    enc = submit(client, auth["physician"])
    url = f"/encounters/{enc['id']}/items/{enc['items'][0]['id']}/decision"
    a = client.post(url, json={"action": "accept"}, headers={**auth["coder"], "Idempotency-Key": "k"})
    b = client.post(url, json={"action": "reject", "reason": "no"}, headers={**auth["coder_b"], "Idempotency-Key": "k"})
    assert a.status_code == b.status_code == 200 and b.json()["status"] == "rejected"


def test_idempotency_failed_requests_are_not_stored(client, auth):
    enc = submit(client, auth["physician"])
    headers = {**auth["coder"], "Idempotency-Key": "try-release"}
    assert client.post(f"/encounters/{enc['id']}/release", headers=headers).status_code == 409
    accept_all(client, auth["coder"], enc)
    assert client.post(f"/encounters/{enc['id']}/release", headers=headers).status_code == 200


def test_idempotency_key_length_is_checked(client, auth):
    response = client.post("/encounters", json={"note": NOTE}, headers={**auth["physician"], "Idempotency-Key": "x" * 300})
    assert response.status_code == 422 and error_code(response) == "invalid_idempotency_key"


def test_idempotency_query_string_is_part_of_the_request(client, auth):
    headers = {**auth["physician"], "Idempotency-Key": "upload-1", "Content-Type": "text/plain"}
    first = client.post("/encounters/upload?setting=office", content=NOTE.encode(), headers=headers)
    other = client.post("/encounters/upload?setting=telehealth", content=NOTE.encode(), headers=headers)
    assert first.status_code == 201 and other.status_code == 422
    assert error_code(other) == "idempotency_key_reused"
