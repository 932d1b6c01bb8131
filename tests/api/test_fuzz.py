"""Property-based fuzzing from the OpenAPI schema (schemathesis + hypothesis): valid and invalid
requests to every operation, with the right role's token, aimed both at random ids and at a real
encounter, never get a 5xx."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from api_helpers import ROUTES, submit

EXAMPLES = 12  # per operation, mode and target; the whole module stays well under a minute
ROLE = {(method, path.replace("{enc}", "{encounter_id}").replace("{item}", "{item_id}")
         .replace("{tok}", "{token_id}").replace("/versions/1", "/versions/{number}")): min(allowed)
        for method, path, allowed, _ in ROUTES}


@pytest.fixture(scope="module")
def targets(shared_client, shared_auth):
    enc = submit(shared_client, shared_auth["physician"])
    token = shared_client.get("/admin/tokens", headers=shared_auth["admin"]).json()[-1]["id"]
    return {"encounter_id": enc["id"], "item_id": enc["items"][-1]["id"], "token_id": token, "number": 1}


def test_fuzz_openapi_operations_never_5xx(shared_app, shared_auth, targets):
    schema = schemathesis.openapi.from_asgi("/openapi.json", shared_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == len(ROLE) + 1  # every route of test_roles, plus /health
    for operation in operations:
        role = ROLE.get((operation.method.upper(), operation.path), "coder")
        real = {k: v for k, v in targets.items() if "{" + k + "}" in operation.path}
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            for fixed in ({}, real) if real else ({},):
                strategy = operation.as_strategy(generation_mode=mode, path_parameters=fixed or None,
                                                 headers=shared_auth[role])

                @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                          suppress_health_check=list(HealthCheck), phases=[Phase.generate, Phase.shrink])
                @given(case=strategy)
                def check(case):
                    response = case.call()
                    assert response.status_code < 500, (
                        f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:500]}")

                try:
                    check()
                except Unsatisfiable:
                    # Nothing left to make invalid (every parameter fixed): nothing to test.
                    assert mode is GenerationMode.NEGATIVE, f"{operation.method} {operation.path}"
