""" "Fits this machine" as a catalog filter: the largest parameter count whose estimate fits.

The inference estimate grows with the parameter count, so "fits one device of this machine at
this dtype" becomes an upper bound on ``params``: an indexed filter at any catalog size. The bound
is computed from a bare parameter count (weights and runtime overhead; the KV cache needs a
model's config), so it is a necessary condition; the per-model fit column refines it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from catalog.hardware import Hardware

MAX_PARAMS_SEARCHED = 10**13
"""Ten trillion parameters: above any model, so the search always brackets the answer."""


def max_params_that_fit(*, hardware: Hardware, dtype: str, context: int | None = None) -> int:
    """The largest parameter count whose inference estimate is not ``no`` on one device.

    Args:
        hardware: the machine (``catalog.hardware.detect_hardware``).
        dtype: the weight format (``bf16``, ``int8``, ``int4``, a GGUF type).
        context: tokens per sequence (used once configs are known; a bare count has no KV cache).

    Returns:
        A parameter count; 0 when not even the runtime fits.

    Raises:
        UsageError: an unknown dtype or a bad context.
    """
    from catalog.estimate import inference_memory
    from catalog.hardware import fit

    def fits(params: int) -> bool:
        memory = inference_memory(params=params, dtype=dtype, context=context)
        return fit(required_bytes=memory.total_bytes, hardware=hardware).level != "no"

    low, high = 0, MAX_PARAMS_SEARCHED
    if not fits(1):
        return 0
    while high - low > 1:
        middle = (low + high) // 2
        if fits(middle):
            low = middle
        else:
            high = middle
    return low


__all__ = ["MAX_PARAMS_SEARCHED", "max_params_that_fit"]
