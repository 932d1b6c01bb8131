"""The whole review lifecycle: submit, read, decide, add, release, export, list."""

from __future__ import annotations

import pytest

from api_helpers import CONTEXT, NOTE, NOTE_V2, decide, submit
from emcoder.results import DocumentationGap, DraftQuery, Evidence
from emcoder_api.services import analysis as analysis_service


def test_lifecycle_submit_decide_release_export(client, auth):
    enc = submit(client, auth["physician"])
    assert enc["status"] == "in_review" and enc["current_version"] == 1 and enc["submitted_by"] == "dr-a"
    assert enc["note"] == NOTE and enc["analysis"]["em"]["code"] == "99214"
    kinds = {(i["kind"], i["code"]) for i in enc["items"]}
    assert ("em", "99214") in kinds and ("icd10cm", "E11.65") in kinds and ("icd10cm", "I10") in kinds
    for item in enc["items"]:
        assert item["status"] == "pending" and item["origin"] == "system" and item["id"].startswith("itm_")
        assert item["ruleset_version"] == enc["analysis"]["ruleset_version"]
        assert item["ruleset_sha256"] == enc["analysis"]["ruleset_sha256"]
        assert item["evidence"], item
        for ev in item["evidence"]:
            assert ev["text"] == NOTE[ev["start"]:ev["end"]]
    by_code = {i["code"]: i for i in enc["items"]}
    coder = auth["coder"]

    assert decide(client, coder, enc["id"], by_code["99214"]["id"]).json()["status"] == "accepted"
    rejected = decide(client, coder, enc["id"], by_code["I10"]["id"], "reject", reason="not addressed")
    assert rejected.status_code == 200 and rejected.json()["final_code"] is None
    modified = decide(client, coder, enc["id"], by_code["E11.65"]["id"], "modify", reason="more specific",
                      replacement_code="e1165")
    assert modified.json()["status"] == "modified" and modified.json()["final_code"] == "E11.65"
    for code, item in by_code.items():
        if code not in ("99214", "I10", "E11.65"):
            assert decide(client, coder, enc["id"], item["id"]).status_code == 200
    added = client.post(f"/encounters/{enc['id']}/items", headers=coder,
                        json={"kind": "cpt", "code": "83036", "reason": "A1c done in office"})
    assert added.status_code == 201, added.text
    assert added.json()["origin"] == "coder" and added.json()["status"] == "accepted"
    assert added.json()["decisions"][0]["action"] == "add"
    dx = client.post(f"/encounters/{enc['id']}/items", headers=coder,
                     json={"kind": "icd10cm", "code": "E785", "reason": "hyperlipidemia addressed"})
    assert dx.status_code == 201 and dx.json()["code"] == "E78.5" and dx.json()["label"]

    assert client.get(f"/encounters/{enc['id']}", headers=coder).json()["status"] == "ready"
    released = client.post(f"/encounters/{enc['id']}/release", headers=coder)
    assert released.status_code == 200, released.text
    assert released.json()["status"] == "released" and released.json()["released_by"] == "coder-c"

    export = client.get(f"/encounters/{enc['id']}/export", headers=auth["auditor"])
    assert export.status_code == 200, export.text
    final = export.json()
    assert final["em"] == ["99214"] and "83036" in final["cpt"] and "99214" in final["cpt"]
    assert "I10" not in final["icd10cm"] and {"E11.65", "E78.5"} <= set(final["icd10cm"])
    assert final["ruleset_sha256"] == enc["analysis"]["ruleset_sha256"] and final["version"] == 1
    assert next(c for c in final["codes"] if c["code"] == "E11.65")["suggested_code"] == "E11.65"

    actions = [r["action"] for r in client.get("/audit?limit=500", headers=auth["auditor"]).json()["data"]]
    for expected in ("encounter.create", "encounter.read", "item.accept", "item.reject", "item.modify",
                     "item.add", "encounter.release", "encounter.export", "token.create"):
        assert expected in actions, expected


def test_lifecycle_decisions_are_revisable_until_release(client, auth):
    enc = submit(client, auth["physician"])
    item = enc["items"][0]
    decide(client, auth["coder"], enc["id"], item["id"])
    again = decide(client, auth["coder_b"], enc["id"], item["id"], "reject", reason="changed my mind")
    assert [d["action"] for d in again.json()["decisions"]] == ["accept", "reject"]
    assert [d["decided_by"] for d in again.json()["decisions"]] == ["coder-c", "coder-d"]


def test_lifecycle_list_filters_and_pagination(client, auth):
    ids = [submit(client, auth["physician"], date_of_service=f"2026-03-0{d}")["id"] for d in (1, 2, 3)]
    other = submit(client, auth["physician_b"], date_of_service="2026-04-01")
    coder = auth["coder"]
    page = client.get("/encounters?limit=2", headers=coder).json()
    assert page["count"] == 4 and len(page["data"]) == 2 and page["limit"] == 2
    rest = client.get("/encounters?limit=2&offset=2", headers=coder).json()
    assert {e["id"] for e in page["data"] + rest["data"]} == {*ids, other["id"]}
    ranged = client.get("/encounters?date_from=2026-03-02&date_to=2026-03-03", headers=coder).json()
    assert {e["id"] for e in ranged["data"]} == set(ids[1:]) and ranged["count"] == 2
    decide(client, auth["coder_b"], ids[0], submit_items(client, coder, ids[0])[0])
    by_coder = client.get("/encounters?coder=coder-d", headers=coder).json()
    assert [e["id"] for e in by_coder["data"]] == [ids[0]]
    for item_id in submit_items(client, coder, ids[1]):
        decide(client, coder, ids[1], item_id)
    client.post(f"/encounters/{ids[1]}/release", headers=coder)
    assert [e["id"] for e in client.get("/encounters?status=released", headers=coder).json()["data"]] == [ids[1]]
    assert client.get("/encounters?status=in_review", headers=coder).json()["count"] == 3
    own = client.get("/encounters", headers=auth["physician_b"]).json()
    assert [e["id"] for e in own["data"]] == [other["id"]]
    assert client.get("/encounters?limit=0", headers=coder).status_code == 422


def submit_items(client, headers, enc_id):
    return [i["id"] for i in client.get(f"/encounters/{enc_id}", headers=headers).json()["items"]]


def test_lifecycle_physician_reads_only_own(client, auth):
    enc = submit(client, auth["physician"])
    assert client.get(f"/encounters/{enc['id']}", headers=auth["physician"]).status_code == 200
    response = client.get(f"/encounters/{enc['id']}", headers=auth["physician_b"])
    assert response.status_code == 404 and response.json()["error"]["code"] == "encounter_not_found"


def test_lifecycle_raw_upload(client, auth):
    response = client.post("/encounters/upload", content=NOTE_V2.encode("utf-8"),
                           params={k: v for k, v in CONTEXT.items()},
                           headers={**auth["physician"], "Content-Type": "text/plain; charset=utf-8"})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["note"] == NOTE_V2 and body["setting"] == "office" and body["date_of_service"] == "2026-03-02"
    kinds = [i["kind"] for i in body["items"]]
    assert "em" in kinds and "addon" in kinds  # 75 minutes: prolonged service add-on


def test_lifecycle_health_needs_no_token(client):
    assert client.get("/health").json()["status"] == "ok"
    assert client.get("/docs").status_code == 200
    assert "/encounters" in client.get("/openapi.json").json()["paths"]


def test_lifecycle_duplicate_diagnosis_is_refused(client, auth):
    enc = submit(client, auth["physician"])
    response = client.post(f"/encounters/{enc['id']}/items", headers=auth["coder"],
                           json={"kind": "icd10cm", "code": "I10", "reason": "again"})
    assert response.status_code == 409 and response.json()["error"]["code"] == "duplicate_code"


@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings")  # the dict-shaped gap, on purpose
def test_lifecycle_draft_queries_are_items(client, auth, monkeypatch):
    """Documentation gaps become `query` items carrying their draft; accepted ones are exported."""
    real = analysis_service.analyze
    gap = DocumentationGap(
        id="gap.diabetes_type", label="diabetes type not documented", rule_id="gaps.diabetes_type.v1",
        reason="the assessment names diabetes without its type",
        query=DraftQuery(format="multiple_choice", question="Please clarify the type of diabetes.",
                         options=("type 1", "type 2", "other", "unable to determine"),
                         indicators=(Evidence(start=0, end=15, text=NOTE[:15]),)))
    legacy = {"question": "Is the hypertension controlled?", "evidence": [{"start": 16, "end": 20}]}

    def with_gaps(*args, **kwargs):
        analysis = real(*args, **kwargs)
        return analysis.model_construct(**{**dict(analysis), "gaps": (gap, legacy)})

    monkeypatch.setattr(analysis_service, "analyze", with_gaps)
    enc = submit(client, auth["physician"])
    queries = [i for i in enc["items"] if i["kind"] == "query"]
    assert [q["label"] for q in queries] == ["diabetes type not documented", "Is the hypertension controlled?"]
    first = queries[0]
    assert first["code"] is None and first["rationale"] == gap.reason and first["rule_id"] == gap.rule_id
    assert first["draft"]["question"] == "Please clarify the type of diabetes." and len(first["draft"]["options"]) == 4
    assert first["evidence"] == [{"start": 0, "end": 15, "section": None, "text": NOTE[:15]}]
    assert queries[1]["evidence"][0]["text"] == NOTE[16:20]
    refused = decide(client, auth["coder"], enc["id"], first["id"], "modify", reason="r", replacement_code="I10")
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "modify_not_allowed"
    decide(client, auth["coder"], enc["id"], first["id"])
    decide(client, auth["coder"], enc["id"], queries[1]["id"], "reject", reason="documented")
    for item in enc["items"]:
        if item["kind"] != "query":
            decide(client, auth["coder"], enc["id"], item["id"])
    client.post(f"/encounters/{enc['id']}/release", headers=auth["coder"])
    export = client.get(f"/encounters/{enc['id']}/export", headers=auth["coder"]).json()
    assert [q["draft"]["gap_id"] for q in export["queries"]] == ["gap.diabetes_type"]
    assert all(c["kind"] != "query" for c in export["codes"])
