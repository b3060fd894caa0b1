"""Fixtures of the Hub tests: the fake Hub (until tests/conftest.py exposes it for everyone).

huggingface_hub reads HF_HOME and the telemetry switch once, when it is first imported; a call
that forgets ``cache_dir`` would then write into the real home. Point those import-time values
at a throwaway directory before anything imports the library (a no-op if it already was).
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile

from tests.fixtures.fake_hub import fake_hub

if "huggingface_hub" not in sys.modules:
    _IMPORT_HOME = tempfile.mkdtemp(prefix="modelcat-hf-home-")
    atexit.register(shutil.rmtree, _IMPORT_HOME, ignore_errors=True)
    os.environ["HF_HOME"] = _IMPORT_HOME
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"

__all__ = ["fake_hub"]
