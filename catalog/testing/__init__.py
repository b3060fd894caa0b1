"""What tests and the ``bench/`` scripts both build: never imported by modelcat itself.

- ``fake_hub``: a fake Hugging Face Hub, a real HTTP server on 127.0.0.1 (faults, request log).
- ``hub_seed``: the curated models' repos on that fake Hub.
- ``tiny_models``: tiny real transformers models on disk, and the HF cache layout.
- ``tiny_gguf``: tiny real GGUF files.
- ``big_overlay``: big curated overlays, entry by entry.
- ``guard``: ``modelcat`` in a child process under a memory and time guard.

Like ``typer.testing``, it ships with the package so a script outside ``tests/`` can import it;
the heavy libraries (torch, transformers, gguf, numpy) are imported by the functions that use them.
"""
