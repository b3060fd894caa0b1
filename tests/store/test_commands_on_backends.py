"""Every read command gives the same answer on SQLite and on PostgreSQL.

The same commands run on a fresh store of each backend (``MODELCAT_DB`` points at it); their
JSON must match a reference run on SQLite, apart from the fields that name the store itself.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from catalog.api import Catalog
from catalog.bench.store import save_result
from catalog.cli.main import app
from tests.bench_store.results import machine, result

COMMANDS = [
    ["list", "--family", "Llama 2"],
    ["shortlist", "--access", "open", "--tunable", "lora", "--max-params", "8B", "--commercial"],
    ["shortlist", "--use", "commercial", "--mau", "900M", "--top", "15"],
    ["shortlist", "--search", "instruct", "--sort", "params:desc", "--top", "10"],
    ["shortlist", "--fits", "--memory", "16GB", "--gpu-memory", "24GB", "--top", "10"],
    ["show", "meta-llama/Llama-2-7b-hf"],
    ["export"],
    ["license", "list"],
    ["license", "show", "llama2"],
    ["license", "check", "llama-2-7b", "mistral-7b", "--use", "commercial", "--mau", "900M"],
    ["estimate", "mistral-7b"],
    [
        "advise",
        "--task",
        "chat",
        "--budget",
        "low",
        "--examples",
        "5000",
        "--no-documents",
        "--no-on-prem",
        "--memory",
        "16GB",
        "--gpu-memory",
        "24GB",
    ],
    ["bench", "--history", "tiny-org/tiny-llama"],
    ["bench", "--machines"],
]
VOLATILE = ("recorded_at", "first_seen", "last_seen")


def run_all(url: str) -> list[tuple[int, Any]]:
    """Each command's exit code and JSON output on the store at ``url``."""
    with Catalog.open(url) as cat:
        save_result(cat, result(on=machine(cpu="team box")), machine_name="team-box")
    runner = CliRunner()
    out = []
    for args in COMMANDS:
        done = runner.invoke(app, ["--db", url, *args, "--format", "json"])
        assert "Traceback" not in done.output, (args, done.output)
        out.append((done.exit_code, _scrub(json.loads(done.stdout)) if done.stdout else None))
    return out


def _scrub(value: Any) -> Any:
    """Blank what differs by store or moment: benchmark run ids and record times."""
    if isinstance(value, dict):
        return {k: "*" if k in VOLATILE or _is_uuid(v) else _scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


def _is_uuid(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 36 and value.count("-") == 4


@pytest.mark.postgres
def test_commands_answer_the_same_on_both_backends(tmp_path: Path, pg_url: str) -> None:
    reference = run_all(f"sqlite:///{tmp_path / 'reference.db'}")
    assert all(code in (0, 1) for code, _ in reference), reference
    assert run_all(pg_url) == reference
