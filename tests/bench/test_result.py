"""Statistics, machine fingerprint and memory high-water marks (no torch needed)."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest

from catalog.bench import MachineInfo, Stat, collect_machine
from catalog.bench.machine import GpuInfo
from catalog.bench.memory import RssPeak


class TestStat:
    def test_mean_and_sample_standard_deviation(self) -> None:
        stat = Stat.of([10.0, 12.0, 14.0])

        assert (stat.mean, stat.std, stat.samples, stat.median) == (
            12.0,
            2.0,
            (10.0, 12.0, 14.0),
            12.0,
        )

    def test_one_sample_has_no_spread(self) -> None:
        assert Stat.of([5.0]).std == 0.0

    def test_no_samples_is_an_error(self) -> None:
        with pytest.raises(ValueError):
            Stat.of([])

    def test_json_round_trip(self) -> None:
        stat = Stat.of([1.5, 2.5])

        assert stat.to_json() == {"mean": 2.0, "std": stat.std, "samples": [1.5, 2.5]}
        assert Stat.from_json(stat.to_json()) == stat


class TestMachine:
    def test_describes_this_machine(self) -> None:
        machine = collect_machine()

        assert machine.cpu and machine.ram_bytes > 0 and machine.cpu_threads
        assert machine.python == ".".join(map(str, sys.version_info[:3]))
        assert len(machine.fingerprint) == 16
        assert MachineInfo.from_json(machine.to_json()) == machine

    def test_fingerprint_ignores_kernel_and_python_patch_level_but_not_hardware(self) -> None:
        machine = collect_machine()
        patched = dataclasses.replace(
            machine, os_release="99.0-other", python=machine.python.rsplit(".", 1)[0] + ".99"
        )
        with_gpu = dataclasses.replace(
            machine, gpus=(GpuInfo(name="NVIDIA A100-SXM4-80GB", memory_bytes=85_899_345_920),)
        )
        other_torch = dataclasses.replace(machine, torch="0.0.1")

        assert patched.fingerprint == machine.fingerprint
        assert with_gpu.fingerprint != machine.fingerprint
        assert other_torch.fingerprint != machine.fingerprint


def _vmhwm_bytes() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    return int(line.split()[1]) * 1024


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="VmHWM is Linux-only")
def test_rss_peak_sees_a_short_allocation_after_a_reset() -> None:
    big = bytearray(64 * 1024 * 1024)
    big[::4096] = b"x" * len(big[::4096])  # a lifetime peak before the measured window
    del big
    lifetime_peak = _vmhwm_bytes()
    peak = RssPeak()
    peak.start()
    first = peak.peak()
    spike = bytearray(32 * 1024 * 1024)
    spike[::4096] = b"x" * len(spike[::4096])  # touch every page so it is resident
    del spike

    assert peak.method == "vmhwm"
    assert first < lifetime_peak - 30 * 1024 * 1024  # the earlier peak does not count
    assert peak.peak() >= first + 30 * 1024 * 1024
    assert peak.baseline > 0


def test_importing_bench_and_local_loads_no_heavy_library() -> None:
    code = (
        "import sys, catalog.bench, catalog.local.scan, catalog.local.link, catalog.bench.safety; "
        "heavy = [m for m in ('torch', 'transformers', 'huggingface_hub', 'textual') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert out.stdout.strip() == ""
