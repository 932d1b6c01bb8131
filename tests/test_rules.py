"""Rule files load, are versioned and hashed, and broken files fail with a clear message."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import pytest

from emcoder.errors import RuleValidationError
from emcoder.rules.loader import load_ruleset_from

CONF = Path(__file__).parent / "conf"


def test_bundled_rules_are_versioned(rules):
    assert rules.version == "2026.2"
    assert len(rules.sha256) == 64
    assert "mdm_table.yaml" in rules.files and "em_families.yaml" in rules.files


def _rules_dir(tmp_path: Path) -> Path:
    src = resources.files("emcoder.rules") / "data"
    for item in src.iterdir():
        if item.name.endswith(".yaml"):
            shutil.copy(str(item), tmp_path / item.name)
    return tmp_path


@pytest.mark.parametrize("broken,target,message", [
    ("mdm_table_unknown_label.yaml", "mdm_table.yaml", "unknown label 'acute_lethal'"),
    ("mdm_table_bad_schema_version.yaml", "mdm_table.yaml", "schema_version 9 is not supported"),
    ("data_cues_bad_regex.yaml", "data_cues.yaml", "bad regular expression"),
    ("em_families_unknown_key.yaml", "em_families.yaml", "Extra inputs are not permitted"),
    ("em_families_time_not_rising.yaml", "em_families.yaml", "time thresholds must rise"),
])
def test_broken_rule_file_is_named(tmp_path, broken, target, message):
    folder = _rules_dir(tmp_path)
    (folder / target).write_text((CONF / broken).read_text())
    with pytest.raises(RuleValidationError) as err:
        load_ruleset_from(folder)
    assert err.value.rule_file == target
    assert message in str(err.value)


def test_missing_rule_file(tmp_path):
    folder = _rules_dir(tmp_path)
    (folder / "time.yaml").unlink()
    with pytest.raises(RuleValidationError, match="missing rule files of kind \\['time'\\]"):
        load_ruleset_from(folder)
