"""A fingerprint of the machine a benchmark ran on, so results from different machines
are never compared as if they were the same.

The hash covers what changes the numbers (CPU, core counts, RAM, GPUs, OS family, Python
minor version, torch and transformers versions) and leaves out what does not (kernel patch
level, host name), so it stays stable across reboots and small updates.
"""

from __future__ import annotations

import hashlib
import json
import platform
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class GpuInfo:
    """One accelerator as torch sees it."""

    name: str
    memory_bytes: int


@dataclass(frozen=True)
class MachineInfo:
    """CPU, memory, accelerators and library versions of the benchmarking machine."""

    cpu: str
    cpu_cores: int | None
    """Physical cores."""
    cpu_threads: int | None
    """Logical CPUs."""
    ram_bytes: int
    os: str
    os_release: str
    python: str
    torch: str | None
    transformers: str | None
    gpus: tuple[GpuInfo, ...] = field(default_factory=tuple)

    @property
    def fingerprint(self) -> str:
        """A stable 16-hex-digit hash of the fields that affect benchmark numbers."""
        stable = {
            "cpu": self.cpu,
            "cpu_cores": self.cpu_cores,
            "cpu_threads": self.cpu_threads,
            "ram_bytes": self.ram_bytes,
            "os": self.os,
            "python": ".".join(self.python.split(".")[:2]),
            "torch": self.torch,
            "transformers": self.transformers,
            "gpus": [[g.name, g.memory_bytes] for g in self.gpus],
        }
        canonical = json.dumps(stable, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]

    def to_json(self) -> dict[str, Any]:
        """All fields plus ``hash`` (the fingerprint)."""
        return {
            "cpu": self.cpu,
            "cpu_cores": self.cpu_cores,
            "cpu_threads": self.cpu_threads,
            "ram_bytes": self.ram_bytes,
            "gpus": [{"name": g.name, "memory_bytes": g.memory_bytes} for g in self.gpus],
            "os": self.os,
            "os_release": self.os_release,
            "python": self.python,
            "torch": self.torch,
            "transformers": self.transformers,
            "hash": self.fingerprint,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MachineInfo:
        """Rebuild from ``to_json()`` (the hash is recomputed, not read)."""
        return cls(
            cpu=data["cpu"],
            cpu_cores=data.get("cpu_cores"),
            cpu_threads=data.get("cpu_threads"),
            ram_bytes=int(data["ram_bytes"]),
            os=data["os"],
            os_release=data.get("os_release", ""),
            python=data["python"],
            torch=data.get("torch"),
            transformers=data.get("transformers"),
            gpus=tuple(
                GpuInfo(name=g["name"], memory_bytes=int(g["memory_bytes"]))
                for g in data.get("gpus", [])
            ),
        )


def collect_machine(*, gpus: Sequence[GpuInfo] = ()) -> MachineInfo:
    """Describe this machine. ``gpus`` comes from the torch backend (this module never imports torch)."""
    import psutil

    return MachineInfo(
        cpu=cpu_model(),
        cpu_cores=psutil.cpu_count(logical=False),
        cpu_threads=psutil.cpu_count(logical=True),
        ram_bytes=int(psutil.virtual_memory().total),
        os=platform.system(),
        os_release=platform.release(),
        python=platform.python_version(),
        torch=_version("torch"),
        transformers=_version("transformers"),
        gpus=tuple(gpus),
    )


def cpu_model() -> str:
    """The CPU model name (``/proc/cpuinfo`` on Linux, ``sysctl`` on macOS), else the ISA."""
    if sys.platform.startswith("linux"):
        try:
            text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
        except OSError:
            text = ""
        for key in ("model name", "Model", "Hardware", "cpu model"):
            for line in text.splitlines():
                name, _, value = line.partition(":")
                if name.strip() == key and value.strip():
                    return value.strip()
    if sys.platform == "darwin":
        import subprocess

        try:
            out = subprocess.run(
                ["sysctl", "-n", "machdep.cpu.brand_string"],
                capture_output=True,
                text=True,
                timeout=5,
                check=False,
            )
            if out.stdout.strip():
                return out.stdout.strip()
        except (OSError, subprocess.SubprocessError):
            pass
    return platform.processor() or platform.machine() or "unknown"


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None
