"""Whole-process timings beside a baseline process, shared by the start-up benchmarks.

Each command runs ``repeat`` times, interleaved (every other round in reverse order) so a busy
machine slows all alike, after one warm-up round (disk cache, bytecode, a scratch store's
build). For each command: the median wall time and the median CPU time (user + system of the
process, which other load on a shared machine disturbs far less than wall time), each with its
ratio of medians to the first command, the baseline.
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

BASELINE = 'python -c "import sqlmodel"'


def baseline_command() -> list[str]:
    """The bare ``import sqlmodel`` every store command needs anyway."""
    return [sys.executable, "-c", "import sqlmodel"]


def modelcat() -> str:
    """The ``modelcat`` script of the running venv."""
    script = Path(sys.executable).parent / "modelcat"
    if not script.exists():
        sys.exit(f"no modelcat script beside {sys.executable}: run with the venv's python")
    return str(script)


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _time(command: list[str], env: Mapping[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run of ``command``."""
    cpu, start = _cpu_seconds(), time.perf_counter()
    done = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):  # 1: a verdict (license check) is still a full run
        sys.exit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    return elapsed, _cpu_seconds() - cpu


def measure(
    commands: Mapping[str, list[str]],
    env: Mapping[str, str],
    *,
    repeat: int,
    run: Callable[[list[str], Mapping[str, str]], tuple[float, float]] | None = None,
) -> dict[str, list[tuple[float, float]]]:
    """``run``'s samples of each command, (wall, cpu) by default, after a warm-up round; rounds
    interleaved (every other one in reverse order) so the machine's load weighs on all alike."""
    once = run if run is not None else _time
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for command in commands.values():
        once(command, env)
    for round_ in range(repeat):
        order = list(commands.items())
        if round_ % 2:
            order.reverse()
        for name, command in order:
            samples[name].append(once(command, env))
    return samples


def report(samples: Mapping[str, list[tuple[float, float]]], *, target: float) -> None:
    """Print each command's medians and their ratios to the baseline (the first command)."""
    base = next(iter(samples.values()))
    base_wall, base_cpu = (statistics.median(s[i] for s in base) for i in (0, 1))
    rounds = len(base)
    width = max(44, *(len(name) for name in samples))
    print(f"{rounds} rounds, whole processes (target: <= {target}x the baseline)")
    print(f"{'command':<{width}} {'wall':>8} {'ratio':>6} {'cpu':>8} {'ratio':>6}")
    for name, values in samples.items():
        wall = statistics.median(value[0] for value in values)
        cpu = statistics.median(value[1] for value in values)
        print(
            f"{name:<{width}} {wall * 1000:>6.0f}ms {wall / base_wall:>5.2f}x "
            f"{cpu * 1000:>6.0f}ms {cpu / base_cpu:>5.2f}x"
        )
