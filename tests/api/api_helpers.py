"""Shared test data and small helpers for the review API tests (imported by the test modules)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

# Every test note carries this marker; it must never show up in logs, errors or the audit trail.
MARKER = "Zorbulax Quintavelle"

NOTE = f"""CHIEF COMPLAINT

Follow-up of diabetes and blood pressure.

HISTORY OF PRESENT ILLNESS

{MARKER} is a 58-year-old female with type 2 diabetes, hypertension and hyperlipidemia who returns
for follow-up. She checks her sugars at home and reports fasting readings of 160 to 190. She has been
taking metformin 1000 mg twice daily without side effects. She denies chest pain or shortness of breath.

RESULTS

Hemoglobin A1c today is 8.4%, up from 7.6% in the spring.
Lipid panel from last month: LDL 92.

ASSESSMENT AND PLAN

Type 2 diabetes mellitus with hyperglycemia.
- Medical Reasoning: Not at goal; A1c has risen to 8.4% on metformin alone.
- Medical Treatment: Start empagliflozin 10 mg daily. Continue metformin 1000 mg twice daily.
- Additional Testing: Basic metabolic panel and urine microalbumin today.

Hypertension.
- Medical Reasoning: Well controlled on current therapy.
- Medical Treatment: Continue lisinopril 20 mg daily.

Follow-up in 3 months.
"""

# A shorter edited note (a new version): time-based coding with a prolonged-service add-on.
NOTE_V2 = f"""HISTORY OF PRESENT ILLNESS

{MARKER} returns for hypertension follow-up. She denies headache and chest pain.

ASSESSMENT AND PLAN

Hypertension, not at goal. Increase lisinopril to 40 mg daily.

I spent a total of 75 minutes on the date of the encounter reviewing records, examining the patient,
counseling and documenting.
"""

CONTEXT = {"setting": "office", "patient": "established", "payer": "commercial", "date_of_service": "2026-03-02"}

# (method, path, allowed roles, JSON body); {enc}, {item}, {tok} are filled in per test.
ROUTES = [
    ("POST", "/encounters", {"physician"}, {"note": NOTE, "encounter": CONTEXT}),
    ("POST", "/encounters/upload", {"physician"}, None),
    ("GET", "/encounters", {"physician", "coder", "auditor"}, None),
    ("GET", "/encounters/{enc}", {"physician", "coder", "auditor"}, None),
    ("GET", "/encounters/{enc}/versions/1", {"physician", "coder", "auditor"}, None),
    ("POST", "/encounters/{enc}/versions", {"physician", "coder"}, {"note": NOTE}),
    ("POST", "/encounters/{enc}/items/{item}/decision", {"coder"}, {"action": "accept"}),
    ("POST", "/encounters/{enc}/items", {"coder"}, {"kind": "cpt", "code": "83036", "reason": "done"}),
    ("POST", "/encounters/{enc}/release", {"coder"}, None),
    ("GET", "/encounters/{enc}/export", {"physician", "coder", "auditor"}, None),
    ("GET", "/audit", {"auditor"}, None),
    ("GET", "/audit/verify", {"auditor"}, None),
    ("POST", "/admin/tokens", {"admin"}, {"role": "coder", "name": "new coder"}),
    ("GET", "/admin/tokens", {"admin"}, None),
    ("DELETE", "/admin/tokens/{tok}", {"admin"}, None),
]


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def submit(client: TestClient, headers: dict[str, str], note: str = NOTE, **context: Any) -> dict[str, Any]:
    response = client.post("/encounters", json={"note": note, "encounter": {**CONTEXT, **context}}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def decide(client: TestClient, headers: dict[str, str], enc_id: str, item_id: str, action: str = "accept",
           **extra: Any) -> Any:
    return client.post(f"/encounters/{enc_id}/items/{item_id}/decision", json={"action": action, **extra},
                       headers=headers)


def accept_all(client: TestClient, headers: dict[str, str], enc: dict[str, Any]) -> None:
    for item in enc["items"]:
        if item["status"] == "pending":
            assert decide(client, headers, enc["id"], item["id"]).status_code == 200


def error_code(response: Any) -> str:
    body = response.json()
    assert set(body) == {"error"}, body
    assert {"code", "message"} <= set(body["error"]), body
    return body["error"]["code"]
