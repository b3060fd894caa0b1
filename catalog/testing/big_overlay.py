"""Big curated overlays, written entry by entry, for the rebuild tests and ``bench/``."""

from __future__ import annotations

from pathlib import Path

LICENSES = ("apache-2.0", "mit", "llama2", "gemma")


def entry(number: int) -> str:
    """One valid model entry of about 260 bytes (50 MB is about 194,000 of them)."""
    url = f"https://hf.co/o{number % 97}/b{number}"
    return (
        f"  - id: bulk-{number}\n"
        f"    name: Bulk {number}\n"
        f"    family: Bulk {number % 500}\n"
        f"    publisher: Org {number % 97}\n"
        "    release_date: 2024-05-01\n"
        "    variant: base\n"
        f"    params: {1_000_000 * (1 + number % 70_000)}\n"
        f"    license: {LICENSES[number % len(LICENSES)]}\n"
        "    access: open\n"
        f"    sources: {{license: '{url}', access: '{url}'}}\n"
    )


def write_overlay(folder: Path, count: int, *, last: str | None = None) -> Path:
    """``folder/models.yaml`` with ``count`` entries (then ``last``, a raw entry, if given)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "models.yaml"
    with path.open("w", encoding="utf-8") as out:
        out.write("models:\n")
        for number in range(count):
            out.write(entry(number))
        if last is not None:
            out.write(last)
    return folder
