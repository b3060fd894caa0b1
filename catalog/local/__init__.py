"""Models on this machine: found on disk, inspected, linked to their catalog entries.

- ``model``: ``LocalModel`` and ``LocalScan``, what every scan returns.
- ``files``: what the files of a model folder say (weight formats, config.json, remote code).
- ``hf_cache``: the Hugging Face cache (where it is, a repo's snapshot, a scan of it).
- ``folders``: model folders and GGUF files below a folder the user names.
- ``scan``: ``find_local_models``, everything installed in one list.
- ``link``: which catalog entry a local copy is (by Hub id, else by architecture numbers).
- ``catalog_link``: the same against a ``Catalog``, reading only the rows it needs.

Nothing here raises for a missing or damaged cache or folder: a scan returns what it could
read plus warnings that say what it skipped and why. Nothing here imports torch or runs model
code; ``huggingface_hub`` is imported only when the cache is scanned.
"""
