"""Peak memory of a benchmark run, measured without disturbing it.

No sampling thread: on a machine with few cores a thread polling RSS competes with the model
for CPU time and the GIL, and still misses spikes shorter than its interval. The kernel keeps
an exact high-water mark instead:

- Linux: ``VmHWM`` in ``/proc/self/status``, reset to the current RSS at the start of the run
  by writing ``5`` to ``/proc/self/clear_refs``. Exact, and only this run counts (``vmhwm``).
- Elsewhere, or when the reset is refused: ``ru_maxrss`` (or ``peak_wset`` on Windows), the
  peak of the whole process lifetime, which may predate the run (``ru_maxrss``/``peak_wset``).
- CUDA: ``torch.cuda`` peak allocated and reserved bytes after ``reset_peak_memory_stats``.

The RSS includes the interpreter and the libraries (``baseline_rss_bytes`` is the RSS just
before loading the model), because that is what the machine must provide to run it.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

RssMethod = Literal["vmhwm", "ru_maxrss", "peak_wset"]

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


@dataclass(frozen=True)
class MemoryReport:
    """Memory high-water marks of one run."""

    rss_method: RssMethod
    baseline_rss_bytes: int
    peak_rss_bytes: int
    gpu_peak_allocated_bytes: int | None = None
    gpu_peak_reserved_bytes: int | None = None

    @property
    def peak_bytes(self) -> int:
        """The headline figure: peak reserved device memory on CUDA, else the RSS peak."""
        if self.gpu_peak_reserved_bytes is not None:
            return self.gpu_peak_reserved_bytes
        return self.peak_rss_bytes

    def to_json(self) -> dict[str, Any]:
        """All fields, by name."""
        return {
            "rss_method": self.rss_method,
            "baseline_rss_bytes": self.baseline_rss_bytes,
            "peak_rss_bytes": self.peak_rss_bytes,
            "gpu_peak_allocated_bytes": self.gpu_peak_allocated_bytes,
            "gpu_peak_reserved_bytes": self.gpu_peak_reserved_bytes,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MemoryReport:
        """Rebuild from ``to_json()``."""
        return cls(
            rss_method=data["rss_method"],
            baseline_rss_bytes=int(data["baseline_rss_bytes"]),
            peak_rss_bytes=int(data["peak_rss_bytes"]),
            gpu_peak_allocated_bytes=data.get("gpu_peak_allocated_bytes"),
            gpu_peak_reserved_bytes=data.get("gpu_peak_reserved_bytes"),
        )


class RssPeak:
    """The process RSS high-water mark between ``start()`` and ``peak()``."""

    def __init__(self) -> None:
        self.method: RssMethod = "ru_maxrss"
        self.baseline = 0

    def start(self) -> None:
        """Record the baseline RSS and reset the kernel's high-water mark where possible."""
        import psutil

        self.baseline = int(psutil.Process().memory_info().rss)
        if _reset_vmhwm():
            self.method = "vmhwm"
        elif sys.platform == "win32":
            self.method = "peak_wset"
        else:
            self.method = "ru_maxrss"

    def peak(self) -> int:
        """The RSS high-water mark, in bytes, by ``self.method``."""
        if self.method == "vmhwm":
            value = _status_kib("VmHWM")
            if value is not None:
                return value * 1024
        if self.method == "peak_wset":
            import psutil

            return int(getattr(psutil.Process().memory_info(), "peak_wset", 0))
        return _ru_maxrss_bytes()


def _reset_vmhwm() -> bool:
    try:
        _CLEAR_REFS.write_text("5", encoding="ascii")
    except OSError:
        return False
    return _status_kib("VmHWM") is not None


def _status_kib(key: str) -> int | None:
    try:
        for line in _STATUS.read_text(encoding="ascii").splitlines():
            if line.startswith(f"{key}:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def _ru_maxrss_bytes() -> int:
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # macOS reports bytes, Linux and the BSDs kibibytes.
    return int(peak) if sys.platform == "darwin" else int(peak) * 1024
