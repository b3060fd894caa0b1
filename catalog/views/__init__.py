"""Typed read models: what the front ends show, built once in the domain and rendered by each.

- ``detail``: ``ModelDetail``, everything known about one model (``modelcat show``, the TUI's
  detail screen), and ``model_detail`` that builds it.
- ``detail_json``: the JSON document of ``modelcat show`` from a ``ModelDetail``.
- ``detail_layout``: that document laid out for people, an indented tree at the output width.
"""

from __future__ import annotations

from catalog.views.detail import ModelDetail, model_detail
from catalog.views.detail_json import detail_json

__all__ = ["ModelDetail", "detail_json", "model_detail"]
