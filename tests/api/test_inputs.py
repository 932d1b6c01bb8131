"""Bad input is a 4xx with a stable code and never echoes the note: empty, binary, non-UTF-8,
huge, malformed JSON, unknown codes, missing reasons, unknown ids."""

from __future__ import annotations

import json

import pytest

from api_helpers import CONTEXT, MARKER, NOTE, decide, error_code, submit

BAD_NOTES = [
    ("", 422, "note_empty"),
    ("   \n\t ", 422, "note_empty"),
    ("\x00\x01binary" * 20, 422, "note_binary"),
    ("a\ud800b patient note", 422, "note_not_utf8"),
    ("x" * 200_001, 413, "note_too_large"),
    ("é" * 100_001, 413, "note_too_large"),  # 200,002 bytes in UTF-8
]


@pytest.mark.parametrize(("note", "status", "code"), BAD_NOTES,
                         ids=["empty", "blank", "binary", "surrogate", "too_large", "too_large_utf8"])
def test_inputs_bad_notes(shared_client, shared_auth, note, status, code):
    body = json.dumps({"note": note, "encounter": CONTEXT})  # ASCII escapes: a lone surrogate survives
    response = shared_client.post("/encounters", content=body,
                                  headers={**shared_auth["physician"], "Content-Type": "application/json"})
    assert response.status_code == status, response.text
    assert error_code(response) == code and response.json()["error"]["field"] == "note"


RAW_UPLOADS = [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "note_binary"),
    (f"{MARKER} caf\xe9 au lait, seen for hypertension".encode("latin-1"), "note_not_utf8"),
    (b"", "note_empty"),
]


@pytest.mark.parametrize(("raw", "code"), RAW_UPLOADS, ids=["binary", "latin1", "empty"])
def test_inputs_raw_uploads(shared_client, shared_auth, raw, code):
    response = shared_client.post("/encounters/upload", content=raw, params={"setting": "office"},
                                  headers={**shared_auth["physician"], "Content-Type": "application/octet-stream"})
    assert response.status_code == 422 and error_code(response) == code
    assert MARKER not in response.text


def test_inputs_body_over_the_cap_is_413(shared_client, shared_auth):
    response = shared_client.post("/encounters", content=b"{" + b" " * 1_400_000 + b"}",
                                  headers={**shared_auth["physician"], "Content-Type": "application/json"})
    assert response.status_code == 413 and error_code(response) == "request_too_large"


@pytest.mark.parametrize(("body", "code", "field"), [
    (b'{"note": "unterminated', "malformed_json", "body"),
    (b'{"encounter": {}}', "validation_error", "note"),
    (b'{"note": "x", "extra": 1}', "validation_error", "extra"),
    (b'{"note": "ok", "encounter": {"setting": "moon"}}', "validation_error", "encounter.setting"),
    (b'{"note": "ok", "encounter": {"date_of_service": "yesterday"}}', "validation_error",
     "encounter.date_of_service"),
    (b'[1, 2]', "validation_error", "body"),
], ids=["malformed", "missing", "extra", "enum", "date", "array"])
def test_inputs_request_validation(shared_client, shared_auth, body, code, field):
    response = shared_client.post("/encounters", content=body,
                                  headers={**shared_auth["physician"], "Content-Type": "application/json"})
    assert response.status_code == 422, response.text
    assert error_code(response) == code and response.json()["error"]["field"] == field


def test_inputs_validation_errors_do_not_echo_input(shared_client, shared_auth):
    for body in ({"note": [NOTE]}, {"note": NOTE, "encounter": {"setting": NOTE}},
                 {"note": NOTE, "encounter": {"date_of_service": MARKER}}, {"note": NOTE, MARKER: 1}):
        response = shared_client.post("/encounters", json=body, headers=shared_auth["physician"])
        assert response.status_code == 422
        assert MARKER not in response.text


@pytest.fixture(scope="module")
def encounter(shared_client, shared_auth):
    return submit(shared_client, shared_auth["physician"])


@pytest.mark.parametrize(("kind", "code"), [("icd10cm", "E11"), ("icd10cm", "XYZ.1"), ("icd10cm", "E11.6"),
                                            ("cpt", "9921"), ("cpt", "ABCDE"), ("cpt", "99214-2")])
def test_inputs_unknown_codes_on_addition(shared_client, shared_auth, encounter, kind, code):
    response = shared_client.post(f"/encounters/{encounter['id']}/items", headers=shared_auth["coder"],
                                  json={"kind": kind, "code": code, "reason": "missed"})
    assert response.status_code == 422 and error_code(response) == "unknown_code"
    assert repr(code) in response.json()["error"]["message"] and response.json()["error"]["field"] == "code"


@pytest.mark.parametrize(("extra", "code", "field"), [
    ({"action": "modify", "reason": "x", "replacement_code": "E11"}, "unknown_code", "replacement_code"),
    ({"action": "modify", "reason": "x"}, "replacement_code_required", "replacement_code"),
    ({"action": "modify", "replacement_code": "E11.9"}, "reason_required", "reason"),
    ({"action": "reject"}, "reason_required", "reason"),
    ({"action": "reject", "reason": "   "}, "reason_required", "reason"),
    ({"action": "reject", "reason": "bad\x00reason"}, "validation_error", "reason"),
    ({"action": "approve"}, "validation_error", "action"),
])
def test_inputs_bad_decisions(shared_client, shared_auth, encounter, extra, code, field):
    icd = next(i for i in encounter["items"] if i["kind"] == "icd10cm")
    response = shared_client.post(f"/encounters/{encounter['id']}/items/{icd['id']}/decision",
                                  headers=shared_auth["coder"], json=extra)
    assert response.status_code == 422, response.text
    assert error_code(response) == code and response.json()["error"]["field"] == field


def test_inputs_em_modification_needs_a_cpt_code(shared_client, shared_auth, encounter):
    em = next(i for i in encounter["items"] if i["kind"] == "em")
    bad = decide(shared_client, shared_auth["coder"], encounter["id"], em["id"], "modify", reason="r",
                 replacement_code="E11.9")
    assert bad.status_code == 422 and error_code(bad) == "unknown_code"
    good = decide(shared_client, shared_auth["coder"], encounter["id"], em["id"], "modify", reason="r",
                  replacement_code="99213-25")
    assert good.status_code == 200 and good.json()["final_code"] == "99213-25"


@pytest.mark.parametrize(("method", "path", "code"), [
    ("GET", "/encounters/enc_000000000000000000000000", "encounter_not_found"),
    ("GET", "/encounters/not-an-id", "encounter_not_found"),
    ("GET", "/encounters/enc_%00", "encounter_not_found"),
    ("POST", "/encounters/{enc}/items/itm_000000000000000000000000/decision", "item_not_found"),
    ("POST", "/encounters/{enc}/items/garbage/decision", "item_not_found"),
    ("GET", "/nowhere", "not_found"),
])
def test_inputs_unknown_ids_are_404(shared_client, shared_auth, encounter, method, path, code):
    response = shared_client.request(method, path.format(enc=encounter["id"]), json={"action": "accept"},
                                     headers=shared_auth["coder"])
    assert response.status_code == 404 and error_code(response) == code


def test_inputs_wrong_method_is_405(shared_client, shared_auth):
    response = shared_client.put("/encounters", headers=shared_auth["coder"])
    assert response.status_code == 405 and error_code(response) == "method_not_allowed"


def test_inputs_query_validation(shared_client, shared_auth):
    for query in ("limit=1000", "offset=-1", "status=lost", "date_from=someday", "coder=a%00b"):
        response = shared_client.get(f"/encounters?{query}", headers=shared_auth["coder"])
        assert response.status_code == 422, query
        assert error_code(response) == "validation_error"
