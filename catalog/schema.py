"""Data models for the curated files ``data/models.yaml`` and ``data/licenses.yaml``.

These are plain pydantic models: what the YAML files say, validated. Database tables
(``catalog.store.tables``) and the objects the CLI and TUI receive (``catalog.domain``)
are built from them, never the other way round.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    field_validator,
    model_validator,
)

from catalog.lifecycle import Status, status_on
from catalog.text import control_in

AccessMode = Literal["open", "gated", "request", "api"]
"""How the weights can be obtained: ``open`` (downloadable without approval), ``gated`` (on the
Hub behind an access request), ``request`` (by application outside the Hub, as LLaMA was) or
``api`` (no weights; a hosted API only)."""

Variant = Literal["base", "chat", "instruct", "code"]
Kind = Literal["decoder", "encoder", "encoder-decoder"]
"""The model's transformer layout: ``decoder`` generates text (every LLM); ``encoder`` (BERT) and
``encoder-decoder`` (T5) models are catalogued for reference and are not recommended as LLMs."""
TuningMethod = Literal["full", "lora", "qlora", "prompt-tuning", "api-finetune"]
Tier = Literal["curated", "hub"]
TermValue = Literal["yes", "no", "conditional", "unknown"]

ACCESS_MODES: tuple[str, ...] = get_args(AccessMode)
VARIANTS: tuple[str, ...] = get_args(Variant)
TUNING_METHODS: tuple[str, ...] = get_args(TuningMethod)
TERM_VALUES: tuple[str, ...] = get_args(TermValue)

TUNING_ROUTES: tuple[str, ...] = (
    "openai-api",
    "azure-openai",
    "trl",
    "peft",
    "autotrain",
    "unsloth",
    "axolotl",
    "llama-factory",
    "torchtune",
    "nemo",
    "vertex-ai",
    "bedrock",
    "together-api",
)
"""Routes through which a model can be tuned; extend when a new route is curated."""

LICENSE_TERMS: tuple[str, ...] = (
    "commercial_use",
    "mau_limit",
    "modification",
    "redistribution",
    "derivatives_redistribution",
    "attribution",
    "naming_requirement",
    "output_training_restriction",
    "use_restrictions",
    "copyleft",
    "hosting",
    "patent_grant",
    "royalties",
)
"""The structured terms of a license. For permissions (commercial_use, modification,
redistribution, derivatives_redistribution, hosting, patent_grant) ``yes`` means granted;
for obligations and restrictions (mau_limit, attribution, naming_requirement,
output_training_restriction, use_restrictions, copyleft, royalties) ``yes`` means the
obligation or restriction exists."""

MODEL_ID_RE = re.compile(r"^[a-z0-9][a-z0-9._\-]*$")
HUB_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,95}(/[A-Za-z0-9][A-Za-z0-9._\-]{0,95})?$")
URL_RE = re.compile(r"^https?://[^\s\x00-\x1f\x7f-\x9f]+$")

MAX_PARAMS = 10**15
"""A bound on parameter counts: a thousand times the largest model announced so far."""
MAX_CONTEXT = 10**9
"""A bound on context lengths, in tokens."""
MAX_USERS = 10**11
"""A bound on user counts (more than there are people)."""
MAX_PRICE = 10**6
"""A bound on prices in dollars per million tokens."""
MAX_CONFIG_DEPTH = 16
MAX_CONFIG_INT = 2**63 - 1
"""Config numbers must fit a 64-bit integer (the store and JSON readers elsewhere need it)."""


def _line(text: str) -> str:
    found = control_in(text)
    if found is not None:
        raise ValueError(f"control character {found} is not allowed (plain text only)")
    return text


def _prose(text: str) -> str:
    found = control_in(text, keep_layout=True)
    if found is not None:
        raise ValueError(f"control character {found} is not allowed (text, newlines and tabs)")
    return text


def _not_bool(value: object) -> object:
    # YAML reads yes/no/true/false as booleans; pydantic would take them as 1.0 and 0.0.
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    return value


Line = Annotated[str, AfterValidator(_line)]
"""A one-line text field: no control characters at all (they would drive a terminal)."""
Prose = Annotated[str, AfterValidator(_prose)]
"""A text field that may span lines: newline and tab allowed, no other control character."""
Url = Annotated[str, Field(pattern=URL_RE.pattern, description="an http(s) URL")]
Count = Annotated[int, Strict(), Field(gt=0, le=MAX_PARAMS)]
"""A positive whole number written as one (not ``7e9``, not ``true``)."""
Price = Annotated[float, BeforeValidator(_not_bool), Field(ge=0, le=MAX_PRICE, allow_inf_nan=False)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Tunability(_Strict):
    """Which adaptation methods a model supports and through which routes."""

    methods: list[TuningMethod] = Field(default_factory=list)
    """Methods that are possible: full fine-tune, LoRA, QLoRA, prompt tuning, vendor fine-tuning API."""
    routes: list[Line] = Field(default_factory=list)
    """Tools or services that can tune it (``trl``, ``peft``, ``openai-api``, ...)."""
    notes: Prose | None = None
    """Caveats, e.g. which snapshot of an API model the vendor lets you fine-tune."""

    @field_validator("routes")
    @classmethod
    def _known_routes(cls, routes: list[str]) -> list[str]:
        unknown = [r for r in routes if r not in TUNING_ROUTES]
        if unknown:
            raise ValueError(
                f"unknown tuning route {unknown[0]!r} (known: {', '.join(TUNING_ROUTES)})"
            )
        return routes


class Pricing(_Strict):
    """Vendor prices in US dollars per million tokens, with where and when they were read."""

    input_per_mtok: Price | None = None
    output_per_mtok: Price | None = None
    training_per_mtok: Price | None = None
    """Fine-tuning training price per million training tokens, where the vendor offers it."""
    source: Url
    as_of: dt.date
    """The date the source gave these prices."""


class ApiInfo(_Strict):
    """How an API-only model is reached."""

    vendor: Line
    model_name: Line
    """The vendor's API model name (``gpt-4o-2024-08-06``)."""
    pricing: Pricing | None = None


class Lifecycle(_Strict):
    """Where a model stands with its vendor, for models a vendor can switch off (API models).

    The status is derived from the dates on the day it is asked, so the catalog does not go
    stale when a shutdown date passes.
    """

    deprecated: dt.date | None = None
    """The day the vendor announced the deprecation."""
    shutdown: dt.date | None = None
    """The day the vendor stops (or stopped) serving the model."""
    replacement: Line | None = None
    """The vendor's recommended replacement, as the vendor names it."""
    source: Url

    @model_validator(mode="after")
    def _ordered(self) -> Lifecycle:
        if self.deprecated is None and self.shutdown is None:
            raise ValueError("a lifecycle needs a 'deprecated' or a 'shutdown' date")
        if self.deprecated and self.shutdown and self.shutdown < self.deprecated:
            raise ValueError("'shutdown' is earlier than 'deprecated'")
        return self

    def status(self, today: dt.date | None = None) -> Status:
        """``retired`` from the shutdown day on, ``deprecated`` once announced, else ``active``."""
        return status_on(self.deprecated, self.shutdown, today or dt.date.today())


class ModelEntry(_Strict):
    """One curated model in ``data/models.yaml``."""

    id: str
    """Stable lowercase catalog id (``llama-2-7b``); scripts depend on it."""
    name: Line
    family: Line
    publisher: Line
    release_date: dt.date
    variant: Variant
    params: Count | None = None
    """Total parameters; null where the vendor never disclosed it (then say so in ``unverified``)."""
    active_params: Count | None = None
    """Parameters active per token, for mixture-of-experts models only."""
    context_length: Annotated[int, Strict(), Field(gt=0, le=MAX_CONTEXT)] | None = None
    architecture: Line | None = None
    """transformers ``model_type`` where weights exist (``llama``, ``falcon``, ``gpt_neox``)."""
    kind: Kind = "decoder"
    """``decoder`` unless the model is an encoder (BERT) or an encoder-decoder (T5)."""
    config: dict[str, Any] | None = None
    """The architecture numbers of the model's ``config.json`` (vocab, hidden size, layers,
    heads, KV heads, FFN width, tied embeddings, experts...), so estimates work offline; cite
    it in ``sources.config``. A Hub sync stores the full file beside it."""
    hub_id: str | None = None
    """Hugging Face Hub repository id where the weights are published."""
    license: Line
    """A license id from ``data/licenses.yaml``."""
    access: AccessMode
    tunability: Tunability = Field(default_factory=Tunability)
    api: ApiInfo | None = None
    lifecycle: Lifecycle | None = None
    """Deprecation and shutdown dates, for models the vendor serves (and can switch off)."""
    sources: dict[Line, Url]
    """Source URL per claim; ``license`` and ``access`` are required."""
    notes: Prose | None = None
    unverified: list[Prose] = Field(default_factory=list)
    """Facts that could not be verified from a source, stated rather than guessed."""

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not MODEL_ID_RE.match(value):
            raise ValueError("must be lowercase letters, digits, '.', '_' or '-'")
        return value

    @field_validator("hub_id")
    @classmethod
    def _hub_id_shape(cls, value: str | None) -> str | None:
        if value is not None and (not HUB_ID_RE.match(value) or ".." in value):
            raise ValueError(f"{value!r} is not a valid Hub repo id (owner/name)")
        return value

    @field_validator("config")
    @classmethod
    def _plain_config(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None:
            _check_config(value, "config", 0)
        return value

    @field_validator("sources")
    @classmethod
    def _required_sources(cls, value: dict[str, str]) -> dict[str, str]:
        missing = [key for key in ("license", "access") if key not in value]
        if missing:
            raise ValueError(f"missing source URL for {' and '.join(missing)}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> ModelEntry:
        if self.access == "api":
            if self.api is None:
                raise ValueError("access 'api' needs an 'api' block (vendor, model_name)")
            bad = [m for m in self.tunability.methods if m != "api-finetune"]
            if bad:
                raise ValueError(f"an API-only model cannot be tuned with {bad[0]!r}")
        elif "api-finetune" in self.tunability.methods and self.api is None:
            raise ValueError("'api-finetune' needs an 'api' block naming the vendor")
        if self.active_params and self.params and self.active_params > self.params:
            raise ValueError("active_params cannot exceed params")
        if self.config is not None:
            if self.access == "api":
                raise ValueError("an API-only model has no config.json")
            if "config" not in self.sources:
                raise ValueError("a 'config' block needs a source URL in sources.config")
        return self


class LicenseTerm(_Strict):
    """One structured term of a license, cited by clause."""

    value: TermValue
    clause: Prose
    """The clause wording in a few words (section number and a short quote where possible)."""
    source: Url | None = None
    """Where the clause can be read; defaults to the license's own source."""

    @field_validator("value", mode="before")
    @classmethod
    def _yaml_booleans(cls, value: object) -> object:
        # YAML 1.1 reads an unquoted yes/no as a boolean; accept it as the word it was.
        if isinstance(value, bool):
            return "yes" if value else "no"
        return value


class LicenseEntry(_Strict):
    """One license in ``data/licenses.yaml``."""

    id: Line
    name: Line
    hub_id: Line | None = None
    """The Hub's ``license:`` tag value (``llama2``, ``apache-2.0``, ``other``)."""
    hub_license_name: Line | None = None
    """The card's ``license_name`` when ``hub_id`` is ``other``."""
    spdx: Line | None = None
    scancode_key: Line | None = None
    osi_approved: bool = False
    mau_limit: Annotated[int, Strict(), Field(gt=0, le=MAX_USERS)] | None = None
    """Monthly active users above which the license grants nothing without a separate grant."""
    url: Url | None = None
    """The license text."""
    source: Url
    terms: dict[str, LicenseTerm] = Field(default_factory=dict)
    notes: Prose | None = None
    unverified: list[Prose] = Field(default_factory=list)

    @field_validator("terms")
    @classmethod
    def _known_terms(cls, value: dict[str, LicenseTerm]) -> dict[str, LicenseTerm]:
        unknown = [k for k in value if k not in LICENSE_TERMS]
        if unknown:
            raise ValueError(f"unknown term {unknown[0]!r} (known: {', '.join(LICENSE_TERMS)})")
        return value

    def term(self, name: str) -> LicenseTerm:
        """The term ``name``, or an ``unknown`` term when the file does not state it."""
        found = self.terms.get(name)
        if found is not None:
            return found
        return LicenseTerm(value="unknown", clause="not stated in data/licenses.yaml")


def _check_config(value: Any, where: str, depth: int) -> None:
    """A config block holds what a config.json can: JSON values, finite, 64-bit, plain text."""
    if depth > MAX_CONFIG_DEPTH:
        raise ValueError(f"{where}: nested deeper than {MAX_CONFIG_DEPTH} levels")
    if isinstance(value, str):
        if control_in(value) is not None:
            raise ValueError(f"{where}: control character {control_in(value)} is not allowed")
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int):
        if abs(value) > MAX_CONFIG_INT:
            raise ValueError(f"{where}: a {value.bit_length()}-bit integer does not fit 64 bits")
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"{where}: {value} is not a finite number")
    elif isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"{where}: key {key!r} is not text")
            _check_config(key, where, depth)
            _check_config(item, f"{where}.{key}", depth + 1)
    elif isinstance(value, list):
        for position, item in enumerate(value):
            _check_config(item, f"{where}[{position}]", depth + 1)
    else:
        raise ValueError(f"{where}: {type(value).__name__} is not a JSON value")
