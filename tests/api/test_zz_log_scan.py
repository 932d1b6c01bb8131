"""Note text never reaches the logs. Runs last (file order): it searches everything the suite
logged, including the crash test's server output, for the marker every test note carries."""

from __future__ import annotations

import logging

from fastapi.testclient import TestClient

from api_helpers import CONTEXT, MARKER, NOTE
from conftest import issue
from emcoder_api.services import encounters


def test_log_scan_unhandled_errors_are_logged_without_their_message(app, monkeypatch, captured_logs):
    def explode(*_args, **_kwargs):
        raise RuntimeError(f"storage failed while writing {NOTE}")

    monkeypatch.setattr(encounters, "submit", explode)
    token = issue(app, "physician", "t1", "dr-a")
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.post("/encounters", json={"note": NOTE, "encounter": CONTEXT},
                               headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 500 and response.json()["error"]["code"] == "internal_error"
    assert MARKER not in response.text
    for handler in logging.getLogger().handlers:
        handler.flush()
    assert "unhandled RuntimeError on POST /encounters" in (captured_logs / "suite.log").read_text()


def test_log_scan_no_note_text_in_any_log(captured_logs):
    for handler in logging.getLogger().handlers:
        handler.flush()
    files = sorted(captured_logs.glob("*.log"))
    assert files and (captured_logs / "suite.log").stat().st_size > 0
    for path in files:
        content = path.read_text(encoding="utf-8", errors="replace")
        assert MARKER not in content, f"note text in {path.name}"
        assert "metformin 1000 mg twice daily" not in content, f"note text in {path.name}"
