"""How to fetch a model with the huggingface_hub that is installed, for "no local copy" hints.

huggingface_hub 0.34 added the ``hf`` command and later releases dropped ``huggingface-cli``;
the hint names whichever the installed distribution declares, read from its metadata (no
import of the library).
"""

from __future__ import annotations

import functools
from importlib.metadata import PackageNotFoundError, distribution


def download_command(repo_id: str) -> str:
    """The shell command that downloads ``repo_id`` into the Hugging Face cache."""
    tool = _cli_name()
    if tool is None:
        return f"pip install huggingface_hub && hf download {repo_id}"
    return f"{tool} download {repo_id}"


@functools.cache
def _cli_name() -> str | None:
    try:
        scripts = {
            ep.name
            for ep in distribution("huggingface_hub").entry_points
            if ep.group == "console_scripts"
        }
    except PackageNotFoundError:
        return None
    for name in ("hf", "huggingface-cli"):
        if name in scripts:
            return name
    return None
