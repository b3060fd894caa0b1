"""How long each read command takes as a whole process, beside ``python -c "import sqlmodel"``.

Target (issue 18): every read command at most 1.3x the bare ``import sqlmodel``, whole process,
on the curated store. Runs each command ``--repeat`` times and prints the medians of wall and
CPU time with their ratios to the baseline (see ``bench/process_timing.py``)::

    .venv/bin/python bench/read_startup.py              # 15 rounds
    .venv/bin/python bench/read_startup.py --repeat 31

A scratch store (built by the warm-up round) and an empty home folder (so ``local`` scans empty
caches and no user config is read) keep the figures about modelcat, not about this machine.
The second line is the bare import with the exit modelcat uses (no last garbage collection,
see ``catalog.cli.main.run``), so the ratio to it shows the gain that is not that exit.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from process_timing import BASELINE, baseline_command, measure, modelcat, report  # noqa: E402

TARGET = 1.3
READ_COMMANDS = {
    "list": ["list"],
    "shortlist --access open --tunable lora --top 10": [
        "shortlist", "--access", "open", "--tunable", "lora", "--top", "10",
    ],
    "show llama-2-7b --format json": ["show", "llama-2-7b", "--format", "json"],
    "export --format csv": ["export", "--format", "csv"],
    "license check --use commercial --mau 900M --format json": [
        "license", "check", "--use", "commercial", "--mau", "900M", "--format", "json",
    ],
    "license show llama2": ["license", "show", "llama2"],
    "license list": ["license", "list"],
    "local": ["local"],
    "db info": ["db", "info"],
}  # fmt: skip
"""The read commands of issue 18, with the arguments people use most."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="rounds (default 15)")
    parser.add_argument("--only", action="append", help="a command name to time (repeatable)")
    args = parser.parse_args()
    chosen = {k: v for k, v in READ_COMMANDS.items() if not args.only or k in args.only}
    with tempfile.TemporaryDirectory(prefix="modelcat-bench-") as scratch:
        home = Path(scratch) / "home"
        home.mkdir()
        env = {
            **os.environ,
            "HOME": str(home),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_DATA_HOME": str(home / ".local" / "share"),
            "MODELCAT_DB": str(Path(scratch) / "modelcat.db"),
            "COLUMNS": "100",
        }
        for name in ("PYTHONDONTWRITEBYTECODE", "HF_HOME", "HF_HUB_CACHE", "MODELCAT_CONFIG"):
            env.pop(name, None)  # measured as installed: bytecode cached, default folders
        script = modelcat()
        commands = {
            BASELINE: baseline_command(),
            # modelcat skips the interpreter's last garbage collection (catalog.cli.main.run):
            # the same exit for the bare import, to show what the rest of the gain is.
            f"{BASELINE[:-1]}, gc; gc.freeze()\"": [
                sys.executable, "-c", "import sqlmodel, gc; gc.freeze()",
            ],
        }  # fmt: skip
        commands.update({name: [script, *argv] for name, argv in chosen.items()})
        samples = measure(commands, env, repeat=args.repeat)
    report(samples, target=TARGET)


if __name__ == "__main__":
    main()
