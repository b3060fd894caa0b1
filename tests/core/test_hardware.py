"""Hardware detection, simulated machines, and fit verdicts on one device."""

from __future__ import annotations

import importlib.util
import os
import stat
from pathlib import Path

import pytest

from catalog.errors import UsageError
from catalog.fit.hardware import Gpu, Hardware, detect_hardware, fit, parse_nvidia_smi

GB = 1000**3


def _cuda_available() -> bool:
    if importlib.util.find_spec("torch") is None:
        return False
    import torch

    return bool(torch.cuda.is_available())


def machine(*gpus_free_gb: float, ram_gb: float = 16) -> Hardware:
    gpus = tuple(
        Gpu(i, f"GPU {i}", int(free * GB), int(free * GB), "override")
        for i, free in enumerate(gpus_free_gb)
    )
    return Hardware(int(ram_gb * GB), int(ram_gb * GB), gpus, "test CPU", 2, 4)


def test_detects_this_machine() -> None:
    hardware = detect_hardware()
    assert hardware.ram_total_bytes > 0
    assert 0 < hardware.ram_available_bytes <= hardware.ram_total_bytes
    assert hardware.cpu_threads >= hardware.cpu_cores >= 1
    assert hardware.cpu_name
    assert hardware.simulated == ()
    assert any("psutil" in note for note in hardware.notes)
    for gpu in hardware.gpus:
        assert 0 <= gpu.free_bytes <= gpu.total_bytes


def test_overrides_simulate_another_machine() -> None:
    hardware = detect_hardware(memory="24GB", gpu_memory="80GiB")
    assert hardware.ram_total_bytes == hardware.ram_available_bytes == 24 * GB
    assert hardware.gpus == (Gpu(0, "simulated GPU", 80 * 1024**3, 80 * 1024**3, "override"),)
    assert hardware.simulated == ("gpu_memory", "memory")
    assert detect_hardware(gpu_memory="0").gpus == ()
    assert detect_hardware(gpu_memory=0, memory=8 * GB).ram_available_bytes == 8 * GB


def test_bad_overrides_are_usage_errors() -> None:
    with pytest.raises(UsageError, match="gpu_memory"):
        detect_hardware(gpu_memory="lots")
    with pytest.raises(UsageError, match="memory"):
        detect_hardware(memory="-4GB")


def _fake_smi(directory: Path, body: str) -> None:
    script = directory / "nvidia-smi"
    script.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


@pytest.mark.skipif(os.name != "posix", reason="the stand-in nvidia-smi is a shell script")
@pytest.mark.skipif(
    _cuda_available(), reason="torch sees CUDA here, so nvidia-smi is not consulted"
)
def test_reads_gpus_from_nvidia_smi(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_smi(
        tmp_path,
        '[ "$1" = "--query-gpu=name,memory.total,memory.free" ] || exit 3\n'
        '[ "$2" = "--format=csv,noheader,nounits" ] || exit 4\n'
        'echo "NVIDIA A100-SXM4-80GB, 81920, 80000"\n'
        'echo "NVIDIA GeForce RTX 4090, 24564, 20010"\n',
    )
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    hardware = detect_hardware()
    assert [(g.index, g.name, g.total_bytes, g.free_bytes, g.source) for g in hardware.gpus] == [
        (0, "NVIDIA A100-SXM4-80GB", 81920 * 1024**2, 80000 * 1024**2, "nvidia-smi"),
        (1, "NVIDIA GeForce RTX 4090", 24564 * 1024**2, 20010 * 1024**2, "nvidia-smi"),
    ]
    assert "GPUs from nvidia-smi" in hardware.notes


@pytest.mark.skipif(os.name != "posix", reason="the stand-in nvidia-smi is a shell script")
@pytest.mark.skipif(
    _cuda_available(), reason="torch sees CUDA here, so nvidia-smi is not consulted"
)
def test_a_failing_nvidia_smi_means_no_gpu(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_smi(tmp_path, 'echo "NVIDIA-SMI has failed" >&2\nexit 9\n')
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    hardware = detect_hardware()
    assert hardware.gpus == ()
    assert "nvidia-smi exited with 9" in hardware.notes


def test_parse_nvidia_smi_skips_unreadable_lines() -> None:
    output = "Tesla T4, 15360, 15101\nGRID vGPU, [N/A], [N/A]\n\nNVIDIA L4, 23034, 22000\n"
    assert [(g.index, g.name, g.free_bytes) for g in parse_nvidia_smi(output)] == [
        (0, "Tesla T4", 15101 * 1024**2),
        (1, "NVIDIA L4", 22000 * 1024**2),
    ]


def test_fit_levels() -> None:
    a100 = machine(80)
    assert fit(required_bytes=10 * GB, hardware=a100).level == "fits"
    assert fit(required_bytes=64 * GB, hardware=a100).level == "fits"  # exactly 20% left
    tight = fit(required_bytes=70 * GB, hardware=a100)
    assert (tight.level, tight.device, tight.headroom) == ("tight", "gpu:0", pytest.approx(0.125))
    assert fit(required_bytes=90 * GB, hardware=a100, device="gpu").level == "no"


def test_fit_never_sums_gpus() -> None:
    two_gpus = machine(40, 40, ram_gb=16)
    verdict = fit(required_bytes=60 * GB, hardware=two_gpus)
    assert verdict.level == "no"
    assert verdict.available_bytes == 40 * GB


def test_fit_picks_the_best_single_device() -> None:
    assert fit(required_bytes=20 * GB, hardware=machine(16, 48)).device == "gpu:1"
    # a GPU wins a tie with RAM; RAM wins when no GPU is big enough
    assert fit(required_bytes=4 * GB, hardware=machine(24, ram_gb=64)).device == "gpu:0"
    on_cpu = fit(required_bytes=30 * GB, hardware=machine(24, ram_gb=64))
    assert (on_cpu.level, on_cpu.device, on_cpu.device_name) == ("fits", "cpu", "RAM")
    assert fit(required_bytes=4 * GB, hardware=machine(24, ram_gb=64), device="cpu").device == "cpu"


def test_fit_on_a_gpu_when_there_is_none() -> None:
    verdict = fit(required_bytes=1 * GB, hardware=machine(ram_gb=64), device="gpu")
    assert (verdict.level, verdict.device, verdict.available_bytes) == ("no", "gpu", 0)
    assert "needs 1.0 GB of 0 B free" in str(verdict)
