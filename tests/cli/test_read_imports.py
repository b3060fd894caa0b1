"""What each read command does NOT import, run whole in a fresh interpreter (issue 18).

Start-up is imports: a read command loads the store and its own command module, never another
command's module, the front ends' libraries or the machinery of syncs and benchmarks. Timings
are printed by ``bench/read_startup.py``; this test pins the import graph that makes them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

NEVER = (
    # heavy libraries of other features
    "textual", "tui", "torch", "transformers", "numpy", "llama_cpp", "gguf",
    "huggingface_hub", "httpx", "httpx2", "filelock", "psutil",
    # tables are drawn without rich; a fresh store needs no YAML parsing and no migration
    "rich", "yaml", "alembic",
    # what only other commands run
    "catalog.bench.runner", "catalog.sync.curated", "catalog.sync.discovery", "catalog.hub",
    "catalog.store.copy",
)  # fmt: skip
"""Not imported by any read command."""

COMMAND_MODULES = tuple(
    f"catalog.cli.{name}"
    for name in ("bench_cmd", "sync_cmd", "advise_cmd", "db_cmd", "local_cmd", "license_cmd")
)
"""Each read command imports its own module of these, never another."""

STORE_ONLY = (
    "catalog.store.hub_tables", "catalog.store.bench_tables", "catalog.sync",
    "catalog.estimate", "catalog.local", "catalog.store.derived",
)  # fmt: skip
"""Not imported by the commands that read only the models and licenses."""

READ_COMMANDS: list[tuple[list[str], tuple[str, ...]]] = [
    (["list"], STORE_ONLY),
    (["list", "--format", "json"], STORE_ONLY),
    (["shortlist", "--access", "open", "--tunable", "lora", "--top", "10"], STORE_ONLY),
    (["export", "--format", "csv"], STORE_ONLY),
    (["license", "show", "llama2"], STORE_ONLY),
    (["license", "list"], STORE_ONLY),
    (["db", "info"], tuple(m for m in STORE_ONLY if m != "catalog.local")),
    # lineage: the Hub tables, but none of the fetching side
    (["license", "check", "--use", "commercial", "--mau", "900M", "--format", "json"],
     ("catalog.store.bench_tables", "catalog.estimate", "catalog.local")),
    # everything known about a model: stored runs and Hub facts, not the runner or the Hub
    (["show", "llama-2-7b", "--format", "json"], ()),
    (["show", "llama-2-7b"], ()),
    # no Hugging Face cache here: nothing to read it with
    (["local"], ("catalog.store.hub_tables", "catalog.store.bench_tables", "catalog.sync")),
]  # fmt: skip

PROBE = """
import atexit, sys
watched = sys.argv[1].split(",")
def loaded():
    found = [m for m in watched if m in sys.modules]
    print("LOADED:" + ",".join(found), file=sys.stderr)
atexit.register(loaded)
sys.argv = ["modelcat", *sys.argv[2:]]
from catalog.cli.main import run
run()
"""


@pytest.fixture(scope="module")
def environment(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A built store and an empty home (no user config, no model caches)."""
    root = tmp_path_factory.mktemp("read-imports")
    home = root / "home"
    home.mkdir()
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "HF_HOME": str(home / ".cache" / "huggingface"),
        "MODELCAT_DB": str(root / "modelcat.db"),
        "COLUMNS": "100",
    }
    for name in (
        "MODELCAT_DATA",
        "MODELCAT_CONFIG",
        "HF_HUB_CACHE",
        "LLAMA_CACHE",
        "OLLAMA_MODELS",
    ):
        env.pop(name, None)
    built = subprocess.run(
        [sys.executable, "-c", PROBE, "", "db", "info"], env=env, capture_output=True, text=True
    )
    assert built.returncode == 0, built.stderr
    assert Path(env["MODELCAT_DB"]).is_file()
    return env


def _loaded(env: dict[str, str], args: list[str], watched: tuple[str, ...]) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, ",".join(watched), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode in (0, 1), done.stderr  # 1: a verdict, still a whole run
    assert done.stdout.strip(), "the command printed nothing"
    [line] = [ln for ln in done.stderr.splitlines() if ln.startswith("LOADED:")]
    return [m for m in line.removeprefix("LOADED:").split(",") if m]


@pytest.mark.parametrize(
    ("args", "also_never"), READ_COMMANDS, ids=[" ".join(a) for a, _ in READ_COMMANDS]
)
def test_a_read_command_imports_only_what_it_reads(
    environment: dict[str, str], args: list[str], also_never: tuple[str, ...]
) -> None:
    from catalog.cli.main import COMMANDS

    own = COMMANDS[args[0]][0]
    others = tuple(m for m in COMMAND_MODULES if m != own)
    assert _loaded(environment, args, NEVER + others + also_never) == []


def test_the_probe_sees_what_a_command_imports(environment: dict[str, str]) -> None:
    # Guards the guard: a vacuous probe would let every case above pass.
    watched = ("catalog.cli.models_cmd", "catalog.store.tables", "sqlmodel")
    assert _loaded(environment, ["list"], watched) == list(watched)
