"""The domain package and ``modelcat --help`` must not load the heavy libraries."""

from __future__ import annotations

import subprocess
import sys

HEAVY = (
    "textual",
    "torch",
    "transformers",
    "huggingface_hub",
    "llama_cpp",
    "gguf",
    "httpx",
    "numpy",
)

PROBE = """
import sys
{body}
heavy = sorted(m for m in {heavy!r} if m in sys.modules)
print("HEAVY:" + ",".join(heavy))
"""


def _loaded_after(body: str) -> list[str]:
    code = PROBE.format(body=body, heavy=HEAVY)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    [line] = [ln for ln in out.stdout.splitlines() if ln.startswith("HEAVY:")]
    return [m for m in line.removeprefix("HEAVY:").split(",") if m]


def test_import_catalog_loads_no_heavy_module() -> None:
    assert _loaded_after("import catalog") == []


def test_modelcat_help_loads_no_heavy_module() -> None:
    body = (
        "from catalog.cli.main import app\n"
        "try:\n"
        "    app(['--help'], prog_name='modelcat')\n"
        "except SystemExit:\n"
        "    pass\n"
    )
    assert _loaded_after(body) == []


def test_the_runtimes_and_the_local_scan_load_no_heavy_module() -> None:
    body = (
        "import catalog.bench.runner, catalog.bench.backends.openai\n"
        "import catalog.bench.backends.llama_cpp, catalog.local.scan, catalog.local.gguf_files\n"
        "import catalog.cli.bench_cmd, catalog.cli.local_cmd, catalog.cli.estimate_cmd\n"
    )
    assert _loaded_after(body) == []


def test_the_probe_can_see_a_heavy_import() -> None:
    # Guards the guard: if the probe were broken, the two tests above would pass vacuously.
    assert _loaded_after("import textual") == ["textual"]
