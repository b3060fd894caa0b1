"""What this machine has (RAM, GPUs with their free memory, CPU) and whether a model fits on it.

Fit is judged on ONE device: a model split over several GPUs needs tensor or pipeline parallelism,
which a fit verdict must not assume (summing GPUs is the classic over-optimistic mistake). Memory is
judged against what is *free* (GPU) or *available* (RAM), not the installed total.
"""

from __future__ import annotations

import importlib.util
import os
import platform
import shutil
import subprocess
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

import psutil

from catalog.units import format_bytes, parse_size

FitLevel = Literal["fits", "tight", "no"]
DeviceChoice = Literal["auto", "gpu", "cpu"]
GpuSource = Literal["torch", "nvidia-smi", "override"]

TIGHT_HEADROOM = 0.20
"""Below this share of the device's free memory left over, a fit is ``tight``."""

_NVIDIA_SMI_QUERY = ["--query-gpu=name,memory.total,memory.free", "--format=csv,noheader,nounits"]
_MIB = 1024**2
_DRIVER_FILES = ("/dev/nvidiactl", "/proc/driver/nvidia/version", "/dev/kfd")


@dataclass(frozen=True)
class Gpu:
    """One GPU: its name, total and currently free memory in bytes, and who reported it."""

    index: int
    name: str
    total_bytes: int
    free_bytes: int
    source: GpuSource


@dataclass(frozen=True)
class Hardware:
    """This machine, or a simulated one.

    Attributes:
        ram_total_bytes: installed RAM.
        ram_available_bytes: RAM available to a new process now (psutil's ``available``).
        gpus: every GPU found, in index order.
        cpu_name: the CPU model, when the OS says.
        cpu_cores: physical cores (logical if unknown).
        cpu_threads: logical CPUs.
        simulated: which figures come from overrides (``"memory"``, ``"gpu_memory"``).
        notes: how each figure was obtained, or why a probe found nothing.
    """

    ram_total_bytes: int
    ram_available_bytes: int
    gpus: tuple[Gpu, ...]
    cpu_name: str
    cpu_cores: int
    cpu_threads: int
    simulated: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict of every field."""
        return asdict(self)


@dataclass(frozen=True)
class FitResult:
    """Whether a memory requirement fits one device.

    Attributes:
        level: ``fits``, ``tight`` (less than 20% of the device's memory left) or ``no``.
        device: ``"gpu:N"`` or ``"cpu"``: the device judged (the best one).
        device_name: the GPU name, or ``"RAM"``.
        required_bytes: what the estimate needs.
        available_bytes: the free memory of that device.
        headroom: share of the device's free memory left after loading (negative when it does not fit).
    """

    level: FitLevel
    device: str
    device_name: str
    required_bytes: int
    available_bytes: int
    headroom: float

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict of every field."""
        return asdict(self)

    def __str__(self) -> str:
        need, have = format_bytes(self.required_bytes), format_bytes(self.available_bytes)
        return f"{self.level} on {self.device} ({self.device_name}): needs {need} of {have} free"


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def _gpu_driver_visible() -> bool:
    # importing torch takes seconds: only pay for it where a GPU driver shows (NVIDIA, or ROCm's kfd)
    return shutil.which("nvidia-smi") is not None or any(
        os.path.exists(path) for path in _DRIVER_FILES
    )


def _torch_gpus() -> tuple[list[Gpu], str] | None:
    if importlib.util.find_spec("torch") is None or not _gpu_driver_visible():
        return None
    import torch

    if not torch.cuda.is_available():
        return None
    gpus = []
    for index in range(torch.cuda.device_count()):
        free, total = torch.cuda.mem_get_info(index)
        gpus.append(Gpu(index, torch.cuda.get_device_name(index), int(total), int(free), "torch"))
    return gpus, "GPUs from torch.cuda.mem_get_info"


def parse_nvidia_smi(output: str) -> list[Gpu]:
    """Parse ``nvidia-smi --query-gpu=name,memory.total,memory.free --format=csv,noheader,nounits``.

    Memory figures are MiB. Lines that do not parse (``[N/A]`` on some virtual GPUs) are skipped.
    """
    gpus: list[Gpu] = []
    for line in output.splitlines():
        parts = [part.strip() for part in line.rsplit(",", 2)]
        if len(parts) != 3:
            continue
        try:
            total, free = int(float(parts[1])) * _MIB, int(float(parts[2])) * _MIB
        except ValueError:
            continue
        gpus.append(Gpu(len(gpus), parts[0], total, free, "nvidia-smi"))
    return gpus


def _smi_gpus() -> tuple[list[Gpu], str] | None:
    smi = shutil.which("nvidia-smi")
    if smi is None:
        return None
    try:
        done = subprocess.run(
            [smi, *_NVIDIA_SMI_QUERY], capture_output=True, text=True, timeout=15, check=False
        )
    except (OSError, subprocess.SubprocessError) as error:
        return [], f"nvidia-smi failed: {error}"
    if done.returncode != 0:
        return [], f"nvidia-smi exited with {done.returncode}"
    return parse_nvidia_smi(done.stdout), "GPUs from nvidia-smi"


def detect_hardware(
    *,
    memory: str | int | None = None,
    gpu_memory: str | int | None = None,
    probe_gpus: bool = True,
) -> Hardware:
    """Describe this machine, with optional overrides to simulate another one.

    Args:
        memory: pretend the machine has this much RAM, all available (``"24GB"``, ``"32GiB"``, bytes).
        gpu_memory: pretend the machine has exactly one GPU with this much free memory
            (``"80GiB"``); ``0`` or ``"0"`` simulates a machine without a GPU.
        probe_gpus: look for GPUs (torch when importable and CUDA is available, else ``nvidia-smi``
            when present); ignored when ``gpu_memory`` is given.

    Returns:
        The :class:`Hardware`.

    Raises:
        UsageError: an override is not a valid size.
    """
    virtual = psutil.virtual_memory()
    notes = ["RAM from psutil (available = what a new process can use without swapping)"]
    simulated: list[str] = []
    gpus: list[Gpu] = []
    if gpu_memory is not None:
        size = parse_size(gpu_memory, field="gpu_memory")
        if size:
            gpus = [Gpu(0, "simulated GPU", size, size, "override")]
        simulated.append("gpu_memory")
    elif probe_gpus:
        found = _torch_gpus() or _smi_gpus()
        if found is None:
            notes.append("no GPU found (no CUDA through torch, no nvidia-smi)")
        else:
            gpus, how = found
            notes.append(how)
    hardware = Hardware(
        ram_total_bytes=int(virtual.total),
        ram_available_bytes=int(virtual.available),
        gpus=tuple(gpus),
        cpu_name=_cpu_name(),
        cpu_cores=psutil.cpu_count(logical=False) or os.cpu_count() or 1,
        cpu_threads=psutil.cpu_count(logical=True) or os.cpu_count() or 1,
        notes=tuple(notes),
    )
    if memory is not None:
        size = parse_size(memory, field="memory")
        hardware = replace(hardware, ram_total_bytes=size, ram_available_bytes=size)
        simulated.append("memory")
    return replace(hardware, simulated=tuple(simulated))


def _judge(required: int, available: int, device: str, name: str) -> FitResult:
    headroom = (available - required) / available if available > 0 else -1.0
    level: FitLevel = (
        "no" if required > available else "tight" if headroom < TIGHT_HEADROOM else "fits"
    )
    return FitResult(level, device, name, required, available, headroom)


_RANK = {"fits": 2, "tight": 1, "no": 0}


def fit(*, required_bytes: int, hardware: Hardware, device: DeviceChoice = "auto") -> FitResult:
    """Judge whether ``required_bytes`` fit on one device of ``hardware``.

    Args:
        required_bytes: the estimate's total (weights + KV cache + overhead).
        hardware: from :func:`detect_hardware`.
        device: ``"gpu"`` (the GPU with the most free memory), ``"cpu"`` (available RAM), or
            ``"auto"``: the best verdict over every GPU and the RAM, a GPU winning ties.

    Returns:
        The verdict on the best device. With ``device="gpu"`` on a machine without a GPU the verdict
        is ``no`` on ``"gpu"`` with 0 bytes available.
    """
    candidates = (
        []
        if device == "cpu"
        else [
            _judge(required_bytes, gpu.free_bytes, f"gpu:{gpu.index}", gpu.name)
            for gpu in hardware.gpus
        ]
    )
    if device != "gpu":
        candidates.append(_judge(required_bytes, hardware.ram_available_bytes, "cpu", "RAM"))
    if not candidates:
        return FitResult("no", "gpu", "no GPU", required_bytes, 0, -1.0)
    return max(candidates, key=lambda r: (_RANK[r.level], r.device != "cpu", r.headroom))
