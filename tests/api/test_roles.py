"""Every route checks its role (403), its token (401), and its tenant (404, never 403)."""

from __future__ import annotations

import pytest

from api_helpers import NOTE, ROUTES, bearer, decide, error_code, submit

ROLES = ("physician", "coder", "auditor", "admin")

DENIED = [(m, p, role, body) for m, p, allowed, body in ROUTES for role in ROLES if role not in allowed]
ENCOUNTER_ROUTES = [(m, p, body) for m, p, _, body in ROUTES if "{enc}" in p]


def _call(client, method, path, headers, body, ids):
    url = path.format(**ids)
    if path == "/encounters/upload":
        return client.request(method, url, content=NOTE.encode(), headers={**headers, "Content-Type": "text/plain"})
    return client.request(method, url, json=body, headers=headers)


# The checks here change little, so the module shares one app per database.
@pytest.fixture(scope="module")
def client(shared_client):
    return shared_client


@pytest.fixture(scope="module")
def auth(shared_auth):
    return shared_auth


@pytest.fixture(scope="module")
def ids(client, auth):
    enc = submit(client, auth["physician"])
    tok = client.get("/admin/tokens", headers=auth["admin"]).json()[0]["id"]
    return {"enc": enc["id"], "item": enc["items"][0]["id"], "tok": tok}


@pytest.mark.parametrize(("method", "path", "role", "body"), DENIED,
                         ids=[f"{m} {p} as {r}" for m, p, r, _ in DENIED])
def test_roles_denied(client, auth, ids, method, path, role, body):
    response = _call(client, method, path, auth[role], body, ids)
    assert response.status_code == 403, response.text
    assert error_code(response) == "forbidden"


@pytest.mark.parametrize(("method", "path", "allowed", "body"), ROUTES, ids=[f"{m} {p}" for m, p, _, _ in ROUTES])
def test_roles_token_required(client, ids, method, path, allowed, body):
    missing = _call(client, method, path, {}, body, ids)
    assert missing.status_code == 401 and error_code(missing) == "missing_token"
    bad = _call(client, method, path, bearer("emc_not-a-real-token"), body, ids)
    assert bad.status_code == 401 and error_code(bad) == "invalid_token"


def test_roles_revoked_token_is_refused(client, auth):
    created = client.post("/admin/tokens", headers=auth["admin"], json={"role": "coder", "name": "temp"})
    assert created.status_code == 201, created.text
    secret, token_id = created.json()["token"], created.json()["id"]
    assert client.get("/encounters", headers=bearer(secret)).status_code == 200
    assert client.delete(f"/admin/tokens/{token_id}", headers=auth["admin"]).json()["revoked_at"]
    response = client.get("/encounters", headers=bearer(secret))
    assert response.status_code == 401 and error_code(response) == "invalid_token"
    listed = client.get("/admin/tokens", headers=auth["admin"]).json()
    assert all("token" not in t and "secret_sha256" not in t for t in listed)


@pytest.mark.parametrize(("method", "path", "body"), ENCOUNTER_ROUTES, ids=[f"{m} {p}" for m, p, _ in ENCOUNTER_ROUTES])
@pytest.mark.parametrize("role", ["physician_t2", "coder_t2", "auditor_t2"])
def test_roles_other_tenant_gets_404(client, auth, ids, method, path, body, role):
    response = _call(client, method, path, auth[role], body, ids)
    if response.status_code == 403:  # this role may not use the route at all
        return
    assert response.status_code == 404, response.text
    assert error_code(response) == "encounter_not_found"


def test_roles_other_tenant_sees_nothing(client, auth, ids):
    decide(client, auth["coder"], ids["enc"], ids["item"])
    assert client.get("/encounters", headers=auth["coder_t2"]).json()["count"] == 0
    records = client.get("/audit?limit=500", headers=auth["auditor_t2"]).json()["data"]
    assert records and all(r["tenant"] == "t2" for r in records)
    assert all(ids["enc"] not in str(r) for r in records)
    response = client.delete(f"/admin/tokens/{ids['tok']}", headers=auth["admin_t2"])
    assert response.status_code == 404 and error_code(response) == "token_not_found"
    assert all(t["tenant"] == "t2" for t in client.get("/admin/tokens", headers=auth["admin_t2"]).json())


def test_roles_admin_creates_tokens_in_own_tenant_only(client, auth):
    created = client.post("/admin/tokens", headers=auth["admin_t2"], json={"role": "auditor", "name": "aud"})
    assert created.json()["tenant"] == "t2" and created.json()["token"].startswith("emc_")
    extra = client.post("/admin/tokens", headers=auth["admin_t2"], json={"role": "auditor", "name": "x", "tenant": "t1"})
    assert extra.status_code == 422
