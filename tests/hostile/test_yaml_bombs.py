"""Issue 13, point 1: nothing in an overlay, a policy file or the config file can exhaust the
machine. Each file is a few hundred bytes that, expanded, would be billions of nodes; each run
is guarded (address space capped, killed at the timeout) and must end in a located exit 2,
in a short message, small and fast."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog.testing.guard import Guarded, run_guarded
from tests.hostile.conftest import GOOD_ENTRY, alias_bomb

MAX_PEAK_MB = 200
TIMEOUT = 30.0
"""The files below take 300 s and 22 GB without the alias budget: any finish under this is it."""


def assert_refused(run: Guarded, *where: str) -> None:
    assert not run.timed_out, f"still running after {TIMEOUT} s"
    assert run.code == 2, run.stderr[-2000:]
    assert run.peak_mb < MAX_PEAK_MB, f"peak {run.peak_mb:.0f} MB"
    assert "Traceback" not in run.stderr
    assert len(run.stderr) < 1000, f"{len(run.stderr)} characters of error"
    for text in where:
        assert text in run.stderr


@pytest.mark.parametrize(
    "where",
    [
        "models: *l8\n",
        f"models:\n{GOOD_ENTRY}    notes: *l8\n",
        f"models:\n{GOOD_ENTRY}    unverified: *l8\n",
    ],
    ids=["models", "notes", "unverified"],
)
def test_an_alias_bomb_in_an_overlay_is_a_located_error(overlay, where: str) -> None:
    folder = overlay(alias_bomb(9) + where)
    run = run_guarded(["--data", str(folder), "list"], timeout=TIMEOUT)
    assert_refused(run, "models.yaml:", "aliases expand to more than")


def test_an_alias_bomb_in_a_policy_file_is_a_short_located_error(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(alias_bomb(7) + "use: *l6\n", encoding="utf-8")
    run = run_guarded(["license", "check", "--policy", str(policy)], timeout=TIMEOUT)
    assert_refused(run, f"{policy}:", "aliases expand to more than")
    saved = run_guarded(["license", "policy", "save", "team", str(policy)], timeout=TIMEOUT)
    assert_refused(saved, "aliases expand to more than")


def test_an_alias_bomb_in_the_config_file_is_a_located_error(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(alias_bomb(9) + "paths: *l8\n", encoding="utf-8")
    run = run_guarded(["local"], env={"MODELCAT_CONFIG": str(config)}, timeout=TIMEOUT)
    assert_refused(run, f"{config}:", "aliases expand to more than")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "models:\n" + "  " * 0 + "".join("  " * i + "- \n" for i in range(1, 2000)),
            "nested deeper",
        ),
        ("models: " + "[" * 10_000 + "]" * 10_000 + "\n", "nesting"),
        ("models: &a [*a]\n", "points into the node it is part of"),
        (f"models:\n{GOOD_ENTRY}    params: {'9' * 5000}\n", "an integer of 5000 digits"),
    ],
    ids=["deep-block", "deep-flow", "recursive-alias", "5000-digit-integer"],
)
def test_deep_recursive_and_huge_values_are_located_errors(
    overlay, text: str, message: str
) -> None:
    run = run_guarded(["--data", str(overlay(text)), "list"], timeout=TIMEOUT)
    assert_refused(run, "models.yaml:", message)


def test_a_huge_value_is_quoted_in_a_message_cut_short(overlay) -> None:
    text = f"models:\n{GOOD_ENTRY}".replace("access: open", f"access: {'x' * 500_000}")
    run = run_guarded(["--data", str(overlay(text)), "list"], timeout=TIMEOUT)
    assert_refused(run, "models.yaml:", "unknown access mode 'xxx", "more characters")


def test_a_file_past_the_size_cap_is_refused_before_it_is_read(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("use:\n  use: commercial\n" + "#" * 2_000_000 + "\n", encoding="utf-8")
    run = run_guarded(["license", "check", "--policy", str(policy)], timeout=TIMEOUT)
    assert_refused(run, str(policy), "larger than")
