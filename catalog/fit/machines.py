"""Judge fits on a team member's machine: the hardware recorded with its benchmark results.

``shortlist --fits --machine NAME`` uses the fingerprint stored in ``bench_machine`` (installed
RAM and each GPU's memory) instead of probing this machine. A recorded fingerprint says what
the machine has, not what is free on it now, so the whole RAM and each GPU's whole memory count
as available: the verdict is an upper bound, and its note says so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from catalog.errors import UsageError

if TYPE_CHECKING:
    from catalog.api import Catalog
    from catalog.bench.records import MachineRecord
    from catalog.fit.hardware import Hardware

MIN_FINGERPRINT_PREFIX = 4


def find_machine(cat: Catalog, machine: str) -> MachineRecord:
    """The recorded machine named ``machine`` (case-insensitive) or with that fingerprint prefix.

    Several fingerprints may share a name (the same box after an upgrade): the most recently
    seen one wins.

    Raises:
        UsageError: no recorded machine matches, or a fingerprint prefix matches several.
    """
    from catalog.bench.store import list_machines

    key = machine.strip()
    recorded = list_machines(cat)  # most recently seen first
    by_name = [m for m in recorded if (m.name or "").casefold() == key.casefold()]
    if by_name:
        return by_name[0]
    by_print = [
        m
        for m in recorded
        if len(key) >= MIN_FINGERPRINT_PREFIX and m.fingerprint.startswith(key.lower())
    ]
    if len(by_print) == 1:
        return by_print[0]
    if by_print:
        found = ", ".join(m.fingerprint for m in by_print)
        raise UsageError(f"{machine!r} matches several recorded machines ({found}); give more")
    known = ", ".join(dict.fromkeys(m.label for m in recorded)) or "none yet"
    raise UsageError(
        f"no recorded machine matches {machine!r} (recorded: {known}); machines are recorded "
        "by `modelcat bench` (see `modelcat bench --machines`)"
    )


def recorded_hardware(record: MachineRecord) -> Hardware:
    """``Hardware`` for a recorded machine: its installed RAM and GPU memory, all counted free."""
    from catalog.fit.hardware import Gpu, Hardware

    info = record.info
    gpus = tuple(
        Gpu(i, g.name, g.memory_bytes, g.memory_bytes, "override") for i, g in enumerate(info.gpus)
    )
    seen = record.last_seen.date().isoformat()
    return Hardware(
        ram_total_bytes=info.ram_bytes,
        ram_available_bytes=info.ram_bytes,
        gpus=gpus,
        cpu_name=info.cpu,
        cpu_cores=info.cpu_cores or 1,
        cpu_threads=info.cpu_threads or info.cpu_cores or 1,
        simulated=("memory", "gpu_memory"),
        notes=(
            f"recorded machine {record.label} (fingerprint {record.fingerprint}, last seen {seen}): "
            "installed RAM and GPU memory as recorded, all counted as free",
        ),
    )
