"""The runtimes a benchmark measures: transformers and llama.cpp in this process, an
OpenAI-compatible server over HTTP. Each module imports its runtime's libraries only when a
run starts, so importing this package stays cheap."""

from catalog.bench.backends.base import BACKENDS, BackendName

__all__ = ["BACKENDS", "BackendName"]
