"""Bad input gets a clear error naming the field and reason, never the note text; CLI behaviour."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import emcoder
from emcoder.cli import app
from emcoder.errors import InputError
from emcoder.note_input import MAX_NOTE_CHARS, decode_note, validate_note

runner = CliRunner()
SECRET = "Zebulon Quixotic-Marrow"


@pytest.mark.parametrize("text,code", [
    ("", "note_empty"),
    ("   \n\t ", "note_empty"),
    ("12 34 56", "note_empty"),
    ("a" * (MAX_NOTE_CHARS + 1), "note_too_large"),
    ("abc\x00def ghi", "note_binary"),
    ("El paciente refiere dolor abdominal desde hace tres días, sin fiebre ni vómitos, con buena tolerancia "
     "oral. Se indica reposo y control en una semana si persiste el dolor o aparecen nuevos síntomas.", "note_not_english"),
    ("患者は三日前から腹痛を訴えている。発熱なし。経口摂取は良好。一週間後に再診。" * 3, "note_not_english"),
])
def test_bad_notes_are_refused(text, code):
    with pytest.raises(InputError) as err:
        validate_note(text)
    assert err.value.error_code == code
    assert err.value.field == "note"


def test_error_never_echoes_note():
    with pytest.raises(InputError) as err:
        validate_note(SECRET + "\x00" * 5)
    assert SECRET not in str(err.value)


@pytest.mark.parametrize("raw,code", [(b"\x89PNG\r\n\x1a\n\x00\x00", "note_binary"), (b"caf\xe9 visit", "note_not_utf8")])
def test_decode(raw, code):
    with pytest.raises(InputError) as err:
        decode_note(raw)
    assert err.value.error_code == code


def test_bad_encounter_names_field():
    with pytest.raises(InputError) as err:
        emcoder.analyze("Assessment: hypertension, stable. Continue lisinopril.", {"setting": "spaceship"})
    assert err.value.field == "encounter.setting"


def test_cli_example_runs():
    result = runner.invoke(app, ["code", "--example"])
    assert result.exit_code == 0, result.stderr
    assert "Recommended E/M: 99214" in result.stdout
    assert "MDM: MODERATE" in result.stdout


def test_cli_json_is_the_analysis(tmp_path):
    note = tmp_path / "n.txt"
    note.write_text("ASSESSMENT AND PLAN\n\nHypertension.\nWell controlled. Continue lisinopril 10 mg daily.\n")
    result = runner.invoke(app, ["code", str(note), "--setting", "office", "--patient", "established", "--json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["em"]["code"] == "99213"
    assert data["mdm"]["problems"]["level"] == "low" and data["mdm"]["risk"]["level"] == "moderate"
    assert data["ruleset_version"] == "2026.2"


@pytest.mark.parametrize("content,message", [
    (b"", "is empty"),
    (b"\x00\x01\x02binary", "binary"),
    (b"\xff\xfe\xfa not utf8", "not valid UTF-8"),
])
def test_cli_bad_file_clear_error(tmp_path, content, message):
    note = tmp_path / "bad.txt"
    note.write_bytes(content)
    result = runner.invoke(app, ["code", str(note)])
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_cli_missing_file(tmp_path):
    result = runner.invoke(app, ["code", str(tmp_path / "nope.txt")])
    assert result.exit_code == 2 and "cannot read" in result.stderr
