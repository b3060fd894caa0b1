"""Without torch and transformers, ``bench`` says how to install them; history still works."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Python treats a None entry in sys.modules as "this module cannot be imported".
HIDE_BACKEND = "import sys; sys.modules['torch'] = None; sys.modules['transformers'] = None; "


def modelcat_without_backend(*args: str) -> subprocess.CompletedProcess[str]:
    code = HIDE_BACKEND + "from catalog.cli.main import run; sys.argv[0] = 'modelcat'; run()"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT, env=dict(os.environ), capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_bench_explains_how_to_add_the_bench_extra(tmp_path: Path) -> None:
    done = modelcat_without_backend("bench", str(tmp_path))

    assert done.returncode == 2
    assert "needs torch and transformers (the `bench` extra)" in done.stderr
    assert "pip install torch==2.13.0" in done.stderr
    assert "pip install 'modelcat[bench]'" in done.stderr
    assert "Traceback" not in done.stderr


def test_history_local_and_show_need_no_backend() -> None:
    history = modelcat_without_backend("bench", "--history", "--format", "json")
    machines = modelcat_without_backend("bench", "--machines", "--format", "json")
    show = modelcat_without_backend("show", "llama-2-7b", "--format", "json")

    assert (history.returncode, history.stdout.strip()) == (0, "[]"), history.stderr
    assert (machines.returncode, machines.stdout.strip()) == (0, "[]"), machines.stderr
    assert show.returncode == 0, show.stderr
    assert '"benchmarks": []' in show.stdout
