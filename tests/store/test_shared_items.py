"""What a team shares through one store: saved shortlists, saved policies, recorded machines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from catalog.api import Catalog
from catalog.bench import GpuInfo
from catalog.bench.store import save_result
from catalog.cli.main import app
from tests.bench_store.results import machine, result

pytestmark = pytest.mark.usefixtures("db_url")

POLICY = """\
use:
  use: commercial
  mau: 900M
deny_licenses: [llama2]
"""
GIB = 2**30


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def test_shortlist_save_then_load_shows_the_same_models(db_url: str) -> None:
    code, out, _ = invoke(
        "shortlist", "--access", "open", "--max-params", "8B", "--top", "4",
        "--save", "team picks", "--format", "json",
    )  # fmt: skip
    assert code == 0
    saved = [m["id"] for m in json.loads(out)]
    assert len(saved) == 4
    code, out, _ = invoke("shortlist", "--load", "team picks", "--format", "json")
    assert code == 0 and [m["id"] for m in json.loads(out)] == saved
    with Catalog.open(db_url) as cat:
        entry = cat.saved_list_entry("team picks")
    assert entry is not None and list(entry.model_ids) == saved
    assert entry.query is not None
    assert entry.query["filters"] == {
        "access": ["open"],
        "max_params": 8_000_000_000,
        "hide_retired": True,
    }
    assert entry.query["top"] == 4 and entry.query["sort"] == "score:desc"


def test_saving_again_replaces_and_load_names_what_is_gone(db_url: str) -> None:
    assert invoke("shortlist", "--family", "Llama 2", "--save", "x")[0] == 0
    assert invoke("shortlist", "--family", "Mistral", "--top", "1", "--save", "x")[0] == 0
    with Catalog.open(db_url) as cat:
        ids = cat.saved_list("x")
        assert len(ids) == 1 and ids[0].startswith("mistral")
        cat.save_list("x", [ids[0], "no-longer-here"])
    code, out, err = invoke("shortlist", "--load", "x")
    assert code == 0 and ids[0] in out and "no longer in the catalog: no-longer-here" in err


def test_load_refuses_other_options_and_unknown_names() -> None:
    assert invoke("shortlist", "--save", "a", "--top", "2")[0] == 0
    code, _, err = invoke("shortlist", "--load", "a", "--top", "3")
    assert code == 2 and "drop the other options" in err
    code, _, err = invoke("shortlist", "--load", "b")
    assert code == 2 and "saved: a" in err
    code, out, err = invoke("shortlist", "--save", "   ")
    assert code == 2 and out == "" and "name" in err


def test_fits_on_a_recorded_machine(db_url: str) -> None:
    small = machine(cpu="small laptop", ram_bytes=8 * GIB)
    big = machine(cpu="gpu server", ram_bytes=32 * GIB)
    big = type(big)(**{**big.__dict__, "gpus": (GpuInfo("H100 80GB", 80 * GIB),)})
    with Catalog.open(db_url) as cat:
        save_result(cat, result(on=small), machine_name="laptop")
        save_result(cat, result(on=big), machine_name="gpu-server")
    code, out, err = invoke("shortlist", "--machine", "laptop", "--format", "json", "--top", "50")
    assert code == 0, err
    laptop = json.loads(out)
    assert laptop and all(m["fit"]["available_bytes"] <= 8 * GIB for m in laptop)
    assert all(m["fit"]["device"] == "cpu" for m in laptop)
    code, out, err = invoke(
        "shortlist", "--fits", "--machine", big.fingerprint[:6], "--format", "json",
        "--min-params", "30B", "--top", "5",
    )  # fmt: skip
    assert code == 0, err
    server = json.loads(out)
    assert server and {m["fit"]["device_name"] for m in server} <= {"H100 80GB", "RAM"}
    assert any(m["fit"]["device"] == "gpu:0" for m in server)
    code, _, err = invoke("shortlist", "--machine", "laptop", "--memory", "64GB")
    assert code == 2 and "--machine" in err
    code, _, err = invoke("shortlist", "--machine", "nobody")
    assert code == 2 and "laptop" in err and "gpu-server" in err


def test_policies_saved_by_name_gate_license_check(tmp_path: Path) -> None:
    file = tmp_path / "policy.yaml"
    file.write_text(POLICY, encoding="utf-8")
    assert invoke("license", "policy", "save", "legal-2025", str(file))[0] == 0
    code, out, _ = invoke("license", "policy", "list", "--format", "json")
    [listed] = json.loads(out)
    assert code == 0 and listed["name"] == "legal-2025" and listed["use"]["mau"] == 900_000_000
    code, out, _ = invoke("license", "policy", "show", "legal-2025")
    assert code == 0 and out.strip() == POLICY.strip()
    code, out, _ = invoke(
        "license", "check", "llama-2-7b", "mistral-7b", "--policy", "legal-2025", "-f", "json"
    )
    verdicts = {r["model"]: r["verdict"] for r in json.loads(out)["results"]}
    assert code == 1 and verdicts == {"llama-2-7b": "forbidden", "mistral-7b": "allowed"}
    assert json.loads(out)["policy"]["path"] == "saved policy 'legal-2025'"
    # A file path still works, and wins over a saved name.
    assert invoke("license", "check", "mistral-7b", "--policy", str(file))[0] == 0
    assert invoke("license", "policy", "delete", "legal-2025")[0] == 0
    code, _, err = invoke("license", "check", "mistral-7b", "--policy", "legal-2025")
    assert code == 2 and "no policy file or saved policy" in err


def test_an_invalid_policy_is_not_saved(tmp_path: Path) -> None:
    file = tmp_path / "bad.yaml"
    file.write_text("use:\n  use: commercial\ndeny_licenses: [no-such-license]\n", encoding="utf-8")
    code, _, err = invoke("license", "policy", "save", "bad", str(file))
    assert code == 2 and "no-such-license" in err and f"{file}:3" in err
    code, out, _ = invoke("license", "policy", "list", "--format", "json")
    assert json.loads(out) == []
