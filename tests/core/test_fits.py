"""One-device fit of catalog models (``catalog.fit.verdict``) and ``modelcat shortlist --fits``."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from catalog.api import Catalog
from catalog.cli.main import app
from catalog.errors import UsageError
from catalog.estimate import inference_memory
from catalog.fit.hardware import Gpu, Hardware, detect_hardware
from catalog.fit.verdict import config_with_source, model_config, model_fit
from tests.advisor.catalog_data import write_overlay

runner = CliRunner()
GB = 1000**3


@pytest.fixture
def configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """MODELCAT_DATA points at an overlay giving the reference models their configs."""
    folder = write_overlay(tmp_path / "overlay")
    monkeypatch.setenv("MODELCAT_DATA", str(folder))
    return folder


@pytest.fixture
def ccat(configured: Path, db_path: Path) -> Iterator[Catalog]:
    """The catalog with the overlay."""
    catalog = Catalog.open(db_path, data_dir=configured)
    yield catalog
    catalog.close()


def shortlist(*args: str) -> list[dict[str, Any]]:
    result = runner.invoke(app, ["shortlist", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    payload: list[dict[str, Any]] = json.loads(result.stdout)
    return payload


def machine(*gpus_gb: int, ram_gb: int = 1) -> Hardware:
    gpus = tuple(Gpu(i, f"gpu {i}", g * GB, g * GB, "override") for i, g in enumerate(gpus_gb))
    base = detect_hardware(memory=ram_gb * GB, gpu_memory=0)
    return dataclasses.replace(base, gpus=gpus)


def test_a_known_config_gives_an_exact_shape_verdict(ccat: Catalog) -> None:
    model = ccat.get("llama-2-7b")
    verdict = model_fit(model, machine(24), dtype="bf16")
    expected = inference_memory(config=model_config(None, model), dtype="bf16", exact=False)
    assert verdict.basis == "config" and not verdict.approximate
    assert verdict.required_bytes == expected.total_bytes
    assert (verdict.level, verdict.device, verdict.dtype) == ("fits", "gpu:0", "bf16")
    assert verdict.available_bytes == 24 * GB


def test_without_a_config_the_verdict_is_approximate(ccat: Catalog) -> None:
    model = dataclasses.replace(ccat.get("llama-2-7b"), config=None)
    verdict = model_fit(model, machine(24), dtype="bf16")
    with_config = model_fit(ccat.get("llama-2-7b"), machine(24), dtype="bf16")
    assert verdict.basis == "params" and verdict.approximate
    assert "approximate" in (verdict.note or "")
    assert verdict.required_bytes is not None and with_config.required_bytes is not None
    # weights + runtime only: a lower bound of the estimate with the KV cache
    assert verdict.required_bytes < with_config.required_bytes


def test_an_unusable_config_falls_back_to_the_parameter_count(ccat: Catalog) -> None:
    model = dataclasses.replace(ccat.get("llama-2-7b"), config={"model_type": "llama"})
    verdict = model_fit(model, machine(24), dtype="bf16")
    assert verdict.basis == "params" and verdict.approximate
    assert "config unusable" in (verdict.note or "")


def test_api_models_have_nothing_to_fit(ccat: Catalog) -> None:
    verdict = model_fit(ccat.get("gpt-4"), machine(80))
    assert verdict.level == "n/a" and verdict.required_bytes is None
    assert "API-only" in (verdict.note or "")


def test_model_config_fills_in_the_model_type_from_the_architecture(ccat: Catalog) -> None:
    model = ccat.get("llama-2-7b")
    bare = {k: v for k, v in (model.config or {}).items() if k != "model_type"}
    config = model_config(None, dataclasses.replace(model, config=bare))
    assert config is not None and config["model_type"] == "llama"
    assert model_config(None, ccat.get("gpt-4")) is None
    # without a Hub sync of the model, the curated numbers are used and named as the source
    config, source = config_with_source(ccat, model)
    assert config == {**bare, "model_type": "llama"} or config == model.config
    assert source.startswith("the curated config in data/models.yaml")


def test_automatic_dtype_steps_down_to_the_most_precise_that_fits(ccat: Catalog) -> None:
    seventy = ccat.get("llama-2-70b")
    verdict = model_fit(seventy, machine(48))
    assert verdict.dtype == "int4" and verdict.kept and verdict.device == "gpu:0"
    # a comfortable int8 beats a tight bf16
    seven = model_fit(ccat.get("llama-2-7b"), machine(20))
    assert (seven.dtype, seven.level) == ("int8", "fits")
    nothing = model_fit(seventy, machine(8, ram_gb=8))
    assert (nothing.level, nothing.dtype) == ("no", "int4")


def test_gpus_are_never_summed(ccat: Catalog) -> None:
    model = ccat.get("llama-2-70b")
    two_small = model_fit(model, machine(24, 24), dtype="int4")
    one_big = model_fit(model, machine(48), dtype="int4")
    assert two_small.level == "no"
    assert two_small.available_bytes == 24 * GB
    assert one_big.kept and one_big.device == "gpu:0"


def test_a_bad_dtype_or_context_is_a_usage_error(ccat: Catalog) -> None:
    with pytest.raises(UsageError, match="unknown dtype"):
        model_fit(ccat.get("llama-2-7b"), machine(24), dtype="fp7")
    with pytest.raises(UsageError, match="context"):
        model_fit(ccat.get("llama-2-7b"), machine(24), dtype="bf16", context=-1)


def test_shortlist_fits_keeps_7b_and_drops_70b_on_16gb(configured: Path) -> None:
    rows = shortlist(
        "--fits", "--memory", "16GB", "--gpu-memory", "0", "--dtype", "bf16",
        "--context", "1024", "--search", "llama-2",
    )  # fmt: skip
    by_id = {row["id"]: row for row in rows}
    assert "llama-2-7b" in by_id and "llama-2-70b" not in by_id
    fit = by_id["llama-2-7b"]["fit"]
    assert fit["level"] in ("fits", "tight") and fit["dtype"] == "bf16"
    assert fit["device"] == "cpu" and fit["available_bytes"] == 16 * GB
    assert fit["required_bytes"] <= fit["available_bytes"]
    assert {"level", "dtype", "device", "required_bytes", "available_bytes"} <= fit.keys()


def test_shortlist_fits_70b_at_int4_on_one_48gb_gpu(configured: Path) -> None:
    rows = shortlist(
        "--gpu-memory", "48GB", "--memory", "1GB", "--dtype", "int4", "--search", "llama-2-70b"
    )
    ids = [row["id"] for row in rows]
    assert "llama-2-70b" in ids
    fit = rows[ids.index("llama-2-70b")]["fit"]
    assert fit["device"] == "gpu:0" and fit["dtype"] == "int4" and fit["level"] in ("fits", "tight")
    assert all(row["fit"]["level"] in ("fits", "tight") for row in rows)


def test_shortlist_fits_leaves_out_api_models_and_honours_top(configured: Path) -> None:
    every = shortlist("--fits", "--gpu-memory", "80GB", "--memory", "1GB")
    assert every and all(row["access"] != "api" for row in every)
    assert shortlist("--fits", "--gpu-memory", "80GB", "--memory", "1GB", "--access", "api") == []
    top = shortlist("--fits", "--gpu-memory", "80GB", "--memory", "1GB", "--top", "3")
    assert [row["id"] for row in top] == [row["id"] for row in every[:3]]


def test_shortlist_fits_table_names_the_fit_and_the_machine(configured: Path) -> None:
    result = runner.invoke(
        app, ["shortlist", "--fits", "--gpu-memory", "48GB", "--memory", "1GB", "-s", "llama-2-70b"]
    )
    assert result.exit_code == 0, result.output
    assert "fit" in result.stdout and "gpu:0" in result.stdout
    assert "judged on one device of: gpu:0 48.0 GB free" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--dtype", "q9"], "unknown dtype"),
        (["--context", "-1"], "context"),
        (["--memory", "lots"], "memory"),
    ],
)
def test_shortlist_fits_bad_input_exits_2(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["shortlist", "--fits", "--gpu-memory", "24GB", *args])
    assert result.exit_code == 2
    assert message in result.stderr
