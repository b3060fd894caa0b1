"""How much it costs to run and to tune a model: parameters, inference and training memory.

The numbers show their working: every :class:`Estimate` lists its parts and its assumptions.

    >>> from catalog.estimate import estimate
    >>> result = estimate(config=config_dict, dtype="int4", context=8192)
    >>> result.to_json()["inference"]["total_bytes"]
"""

from __future__ import annotations

from catalog.estimate.api import (
    DEFAULT_CONTEXT,
    DEFAULT_FIT_DTYPES,
    DEFAULT_SEQ_LEN,
    DtypeFit,
    Resolved,
    best_dtype_that_fits,
    estimate,
    inference_memory,
    read_config_file,
    resolve,
)
from catalog.estimate.architecture import Architecture, read_architecture
from catalog.estimate.dtypes import DTYPES, Dtype, weight_format
from catalog.estimate.memory import InferenceMemory
from catalog.estimate.params import ALL_LINEAR, DEFAULT_TARGETS, ParamCount
from catalog.estimate.result import Estimate
from catalog.estimate.training import METHODS, Method, TrainingMemory

__all__ = [
    "ALL_LINEAR",
    "DEFAULT_CONTEXT",
    "DEFAULT_FIT_DTYPES",
    "DEFAULT_SEQ_LEN",
    "DEFAULT_TARGETS",
    "DTYPES",
    "METHODS",
    "Architecture",
    "Dtype",
    "DtypeFit",
    "Estimate",
    "InferenceMemory",
    "Method",
    "ParamCount",
    "Resolved",
    "TrainingMemory",
    "best_dtype_that_fits",
    "estimate",
    "inference_memory",
    "read_architecture",
    "read_config_file",
    "resolve",
    "weight_format",
]
