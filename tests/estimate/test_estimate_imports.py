"""An estimate of a known architecture never imports torch or transformers (they cost seconds):
checked in fresh interpreters, through the Python API and the whole CLI process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.estimate.family_configs import FAMILY_CONFIGS
from tests.estimate.meta_counts import needs_transformers
from tests.estimate.reference import MIXTRAL_8X7B

HEAVY = ("torch", "transformers")

_API_SCRIPT = """
import json, sys
from catalog.estimate import estimate
for config in json.loads(sys.argv[1]):
    estimate(config=config, dtype="int4", lora_targets="all-linear")
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in {heavy!r})))
"""


def _imported_by_api(configs: list[dict[str, Any]]) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", _API_SCRIPT.format(heavy=set(HEAVY)), json.dumps(configs)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return list(json.loads(done.stdout))


def _imported_by_cli(args: list[str]) -> set[str]:
    """Top-level packages the ``modelcat`` process imported, from ``python -X importtime``."""
    code = "import sys; from catalog.cli.main import run; sys.argv[0] = 'modelcat'; run()"
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    names = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return names


def test_the_api_counts_every_family_without_torch() -> None:
    assert _imported_by_api(list(FAMILY_CONFIGS.values())) == []


def test_the_estimate_command_of_a_catalog_model_imports_no_torch() -> None:
    imported = _imported_by_cli(["estimate", "mixtral-8x7b", "--format", "json"])
    assert "catalog" in imported  # the parse of -X importtime found the modules
    assert not imported & set(HEAVY)


def test_the_estimate_command_of_a_config_file_imports_no_torch(tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps(MIXTRAL_8X7B), encoding="utf-8")
    imported = _imported_by_cli(["estimate", "--config", str(config), "--format", "json"])
    assert not imported & set(HEAVY)


@needs_transformers
def test_an_unknown_family_falls_back_to_transformers(tmp_path: Path) -> None:
    config = {"model_type": "helium", "hidden_size": 64, "num_hidden_layers": 2}
    config |= {"num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 1000}
    config |= {"intermediate_size": 96}
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    imported = _imported_by_cli(["estimate", "--config", str(path), "--format", "json"])
    assert set(HEAVY) <= imported
