"""scripts/check_catalog.py: every license and access claim sourced, the unverified share held.

The script runs as a user runs it (a subprocess), once on the shipped data and once on broken
copies, so each rule is seen both passing and failing.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "check_catalog.py"

UNVERIFIED_SHARE_BASELINE = 0.154
"""The share when the check was introduced: 83 unverified claims of 540 on main at 26dbaab.

(The "never disclosed" line the schema asks of a null parameter count is no doubt and is not
counted; counted with it, the start was 91 of 548.)"""


def _run(*args: str) -> tuple[int, dict[str, Any]]:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--format", "json", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    return done.returncode, json.loads(done.stdout)


@pytest.fixture(scope="module")
def shipped() -> dict[str, Any]:
    _, report = _run()
    return report


def test_no_license_or_access_claim_lacks_a_source(shipped: dict[str, Any]) -> None:
    summary = shipped["summary"]
    assert summary["unsourced_license_or_access_claims"] == 0
    for entry in shipped["entries"]:
        assert {"license", "access"} <= set(entry["sourced"]), entry["id"]


def test_the_unverified_share_does_not_grow(shipped: dict[str, Any]) -> None:
    summary = shipped["summary"]
    assert summary["claims"] > 0
    assert summary["unverified_share"] <= UNVERIFIED_SHARE_BASELINE


def test_the_shipped_catalog_has_no_problem(shipped: dict[str, Any]) -> None:
    assert shipped["summary"]["problems"] == []


def _broken_copy(tmp_path: Path, edit: Any) -> Path:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    models = yaml.safe_load((data / "models.yaml").read_text(encoding="utf-8"))
    edit(models["models"])
    (data / "models.yaml").write_text(yaml.safe_dump(models, sort_keys=False), encoding="utf-8")
    return data


def test_a_missing_license_source_is_a_problem(tmp_path: Path) -> None:
    def drop_source(models: list[dict[str, Any]]) -> None:
        models[0]["sources"]["license_text"] = models[0]["sources"].pop("license")

    code, report = _run("--data", str(_broken_copy(tmp_path, drop_source)))
    assert code == 1
    assert any("missing source URL for license" in p for p in report["summary"]["problems"])


def test_an_unused_license_and_a_duplicate_id_are_problems(tmp_path: Path) -> None:
    def duplicate_and_orphan(models: list[dict[str, Any]]) -> None:
        models.append(dict(models[0]))
        for model in models:
            if model["id"] == "mpt-7b-chat":
                model["license"] = "apache-2.0"

    code, report = _run("--data", str(_broken_copy(tmp_path, duplicate_and_orphan)))
    problems = set(report["summary"]["problems"])
    assert code == 1
    assert "duplicate id llama-7b" in problems
    assert "license cc-by-nc-sa-4.0 is used by no model" in problems


def test_unverified_lines_are_counted_per_claim(tmp_path: Path) -> None:
    def doubt(models: list[dict[str, Any]]) -> None:
        for model in models:
            model["unverified"] = [*model.get("unverified", []), "Gated state not checked"]

    _, report = _run("--data", str(_broken_copy(tmp_path, doubt)))
    assert all("access" in entry["unverified"] for entry in report["entries"])
    assert report["summary"]["unverified_share"] > UNVERIFIED_SHARE_BASELINE
