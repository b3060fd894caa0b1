"""The one adapter around ``huggingface_hub``: model info, model listing and config.json downloads.

Everything modelcat asks the Hugging Face Hub goes through ``HubClient``; the rest of the code
gets plain ``HubModel`` objects and, on failure, errors from ``catalog.errors``:

    bad repo id, revision, expand field or argument   -> UsageError (no request made)
    offline mode (HF_HUB_OFFLINE or offline=True)     -> HubOfflineError (no request made)
    gated repository without access                   -> GatedModelError
    repo / revision / file not found, HTTP 400, ...   -> HubError with the reason
    429, 408, 5xx, timeouts, dropped connections      -> retried, then HubError
    no connection at all (DNS, refused, no route)      -> HubUnreachableError, at once
    a body that is not the JSON expected              -> HubError("invalid JSON from the Hub ...")

How it uses huggingface_hub 2.4.0, and why:

* The library is imported inside functions, so ``import catalog`` stays fast.
* huggingface_hub reads ``HF_ENDPOINT``, ``HF_HOME`` and ``HF_HUB_OFFLINE`` once, when it is
  imported. A ``HubClient`` reads the environment when it is built instead, passes the endpoint
  and cache directory explicitly on every call, and checks offline mode itself before any
  request.
* Listing and model info go through the library's shared HTTP session (``get_session()``: its
  offline hook, request ids, proxy settings) and its error mapping (``hf_raise_for_status``),
  but with our own request loop rather than ``HfApi.list_models``/``HfApi.model_info``. In
  2.4.0 ``list_models`` uses ``limit`` as both page size and total, sends no timeout (a
  hanging Hub hangs the caller), and retries 5xx inside ``http_backoff`` with fixed waits of
  1, 2, 4, 8 and 8 s (about 23 s per failing page) and Retry-After + 1 s for a 429, which a
  caller cannot tune. ``model_info`` raises a bare ``TypeError`` when the body is JSON but not
  an object. Our loop asks for ``limit=page_size`` and follows the ``Link: rel="next"`` URL,
  so N models cost ceil(N / page_size) requests. The next URL must stay on the endpoint's
  host, so a token is never sent anywhere else.
* ``config.json`` is one GET through the same session, under our retry policy, kept in the
  standard cache where transformers finds it later (``catalog.hub_cache`` lays it out as
  ``hf_hub_download`` does). ``hf_hub_download`` itself would first send a HEAD for the
  commit and ETag that the GET's own headers carry, doubling the requests of a first sync,
  and after a failed HEAD it retries with a 60 s timeout and fixed waits. With a commit-sha
  revision, or offline, a cached config needs no request at all.
* Retries: a 429 waits as long as Retry-After says. A 408, a 5xx, a timeout or a dropped
  connection backs off ``backoff * 2**n`` seconds, capped at 8. There are at most
  ``max_retries`` retries and ``max_wait`` seconds of sleep in total; after that comes a
  ``HubError`` with the last reason.
* The token is resolved once: an explicit value, else ``HF_TOKEN``, else the login file under
  ``HF_HOME``. It is kept in memory only, never printed (``repr`` says only whether there is
  one), never logged, and sent only as ``Authorization: Bearer`` to the endpoint.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
import os
import platform
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NoReturn, TypeVar, get_args
from urllib.parse import quote, urlsplit

from catalog import hub_cache
from catalog.config_file import MAX_JSON_BYTES
from catalog.errors import (
    CatalogError,
    GatedModelError,
    HubError,
    HubOfflineError,
    HubUnreachableError,
    UsageError,
)
from catalog.schema import HUB_ID_RE, MAX_PARAMS
from catalog.text import clip, shown, strip_controls

GatedMode = Literal[False, "auto", "manual"]
"""How a repo is gated on the Hub: not at all, automatic approval, or manual approval."""

ListSort = Literal["downloads", "likes", "lastModified", "createdAt", "trendingScore"]
"""Sort keys of the model listing (always descending)."""

ExpandField = Literal[
    "author", "baseModels", "cardData", "childrenModelCount", "config", "createdAt", "disabled",
    "downloads", "downloadsAllTime", "evalResults", "gated", "gguf", "inference",
    "inferenceProviderMapping", "lastModified", "library_name", "likes", "mask_token",
    "model-index", "pipeline_tag", "private", "resourceGroup", "safetensors", "sha", "siblings",
    "spaces", "tags", "transformersInfo", "trendingScore", "usedStorage", "widgetData",
]  # fmt: skip
"""The properties the Hub can ``expand`` (``ExpandModelProperty_T`` in huggingface_hub)."""

EXPAND_FIELDS: frozenset[str] = frozenset(get_args(ExpandField))

DEFAULT_EXPAND: tuple[ExpandField, ...] = (
    "sha", "lastModified", "createdAt", "gated", "private", "disabled", "downloads", "likes",
    "tags", "pipeline_tag", "library_name", "cardData", "config", "safetensors", "baseModels",
    "siblings",
)  # fmt: skip
"""Everything ``HubModel`` is built from."""

DEFAULT_ENDPOINT = "https://huggingface.co"
MAX_PAGE_SIZE = 1000
CONFIG_FILE = "config.json"

_TRUTHY = {"1", "on", "yes", "true"}
_REVISION_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/\-]{0,199}$")
_COMMIT_RE = re.compile(r"^[0-9a-f]{40}$")
_QUANTIZED_TAGS = {"4-bit", "8-bit", "gptq", "awq", "gguf", "exl2", "bitsandbytes", "quantized"}
_BASE_MODEL_RELATIONS = {"adapter", "finetune", "merge", "quantized"}
_MAX_BACKOFF = 8.0

T = TypeVar("T")
_Params = list[tuple[str, str | int | float | bool | None]]


@dataclass(frozen=True)
class HubModel:
    """What the Hub says about one model repo, under modelcat's names.

    A field the answer did not carry (not requested in ``expand``) is None or empty;
    ``present`` lists the API keys the answer had, to tell "not asked" from "absent".
    """

    repo_id: str
    sha: str | None = None
    last_modified: dt.datetime | None = None
    created_at: dt.datetime | None = None
    gated: GatedMode | None = None
    private: bool | None = None
    disabled: bool | None = None
    downloads: int | None = None
    """Downloads over the last 30 days."""
    likes: int | None = None
    license: str | None = None
    """The card's ``license`` (the first one when it lists several), else the ``license:`` tag."""
    license_name: str | None = None
    license_link: str | None = None
    tags: tuple[str, ...] = ()
    pipeline_tag: str | None = None
    library_name: str | None = None
    base_models: tuple[str, ...] = ()
    """Repo ids this model derives from (card ``base_model``, ``baseModels``, ``base_model:`` tags)."""
    safetensors_total: int | None = None
    """Stored tensor elements: not the parameter count for packed quantized checkpoints."""
    safetensors_parameters: dict[str, int] = field(default_factory=dict, hash=False)
    """Stored tensor elements per dtype, e.g. ``{"BF16": 7241732096}``."""
    quantized: bool = False
    """A quantization_config in the config, or a quantization tag (4-bit, gptq, awq, gguf...)."""
    config_subset: dict[str, Any] = field(default_factory=dict, hash=False)
    """The Hub's small config extract (architectures, model_type, quantization_config...)."""
    card_data: dict[str, Any] = field(default_factory=dict, hash=False)
    """The model card metadata as the Hub returned it."""
    has_config: bool | None = None
    """Whether the repo holds a config.json (from ``siblings``); None when files were not listed."""
    present: frozenset[str] = frozenset()

    warnings: tuple[str, ...] = field(default=(), compare=False)
    """Values the answer carried that were dropped (out of range, not the type expected)."""

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> HubModel:
        """Build from one JSON object of ``/api/models`` or ``/api/models/{repo_id}``.

        Every value is typed and bounded here, where it enters: a number out of range (or of
        the wrong type) is dropped with a warning, text loses its control characters and is
        cut to a length, nested data (card, config) is kept only as plain bounded JSON.

        Raises:
            HubError: the object has no valid model id.
        """
        repo_id = data.get("id")
        if not isinstance(repo_id, str) or not HUB_ID_RE.match(repo_id) or ".." in repo_id:
            raise HubError(
                f"unexpected answer from the Hub: a model without an id (or not a repo id: {shown(repo_id)})"
            )
        read = _Reader()
        card = read.tree("cardData", data.get("cardData"))
        config = read.tree("config", data.get("config"))
        tags = read.texts("tags", data.get("tags"))
        safetensors = _dict(data.get("safetensors"))
        parameters: dict[str, int] = {}
        for dtype, count in _dict(safetensors.get("parameters")).items():
            kept = read.count(f"safetensors.parameters.{dtype}", count, high=MAX_PARAMS)
            if kept is not None and len(parameters) < MAX_ITEMS:
                parameters[strip_controls(dtype)[:MAX_NAME]] = kept
        library_name = read.text(data.get("library_name"))
        return cls(
            repo_id=repo_id,
            sha=read.text(data.get("sha")),
            last_modified=_date(data.get("lastModified")),
            created_at=_date(data.get("createdAt")),
            gated=_gated(data.get("gated")),
            private=_bool(data.get("private")),
            disabled=_bool(data.get("disabled")),
            downloads=read.count("downloads", data.get("downloads"), low=0, high=MAX_COUNT),
            likes=read.count("likes", data.get("likes"), low=0, high=MAX_COUNT),
            license=_license(card, tags),
            license_name=read.text(card.get("license_name")),
            license_link=read.text(card.get("license_link")),
            tags=tags,
            pipeline_tag=read.text(data.get("pipeline_tag")),
            library_name=library_name,
            base_models=read.repo_ids(_base_models(card, _dict(data.get("baseModels")), tags)),
            safetensors_total=read.count(
                "safetensors.total", safetensors.get("total"), high=MAX_PARAMS
            ),
            safetensors_parameters=parameters,
            quantized=(
                "quantization_config" in config
                or library_name == "gguf"
                or any(_is_quantized_tag(t) for t in tags)
            ),
            config_subset=config,
            card_data=card,
            has_config=_lists_file(data.get("siblings"), CONFIG_FILE),
            present=frozenset(data),
            warnings=tuple(read.warnings),
        )


MAX_COUNT = 10**15
"""Downloads and likes beyond this are not real counts."""
MAX_NAME = 300
"""Characters kept of a short text (a tag, a license name, a link)."""
MAX_TEXT = 10_000
"""Characters kept of a text inside the card or config."""
MAX_ITEMS = 1000
"""Items kept of a list or mapping (tags, card entries)."""
MAX_DEPTH = 16
"""Nesting kept of the card and config; deeper parts are dropped."""
MAX_JSON_INT = 2**63 - 1


class _Reader:
    """Typed, bounded reads of one model's answer, keeping a warning per value dropped."""

    def __init__(self) -> None:
        self.warnings: list[str] = []

    def count(self, name: str, value: Any, *, low: int = 1, high: int) -> int | None:
        if value is None:
            return None
        if not _is_int(value):
            self.warnings.append(f"{name}: {shown(value, 40)} is not a whole number; dropped")
            return None
        if not low <= value <= high:
            self.warnings.append(
                f"{name}: {shown(value, 40)} is out of range ({low} to {high:.0e}); dropped"
            )
            return None
        return int(value)

    def text(self, value: Any, limit: int = MAX_NAME) -> str | None:
        if not isinstance(value, str):
            return None
        return strip_controls(value)[:limit]

    def texts(self, name: str, value: Any) -> tuple[str, ...]:
        items = [t for t in value if isinstance(t, str)] if isinstance(value, list) else []
        if len(items) > MAX_ITEMS:
            self.warnings.append(f"{name}: {len(items)} items, kept the first {MAX_ITEMS}")
        return tuple(strip_controls(t)[:MAX_NAME] for t in items[:MAX_ITEMS])

    def repo_ids(self, found: Sequence[str]) -> tuple[str, ...]:
        kept = tuple(b for b in found if HUB_ID_RE.match(b) and ".." not in b)
        if len(kept) < len(found):
            self.warnings.append(
                f"base_model: {len(found) - len(kept)} value(s) that are not repo ids; dropped"
            )
        return kept[:MAX_ITEMS]

    def tree(self, name: str, value: Any) -> dict[str, Any]:
        dropped = [0]
        cleaned = _plain(value, 0, dropped) if isinstance(value, dict) else {}
        if dropped[0]:
            self.warnings.append(
                f"{name}: {dropped[0]} value(s) too large, too deep or not JSON; dropped"
            )
        return cleaned if isinstance(cleaned, dict) else {}


def _plain(value: Any, depth: int, dropped: list[int]) -> Any:
    """``value`` as bounded plain JSON (see the ``MAX_*`` constants); ``_DROP`` when it is not."""
    if isinstance(value, str):
        return strip_controls(value, keep_layout=True)[:MAX_TEXT]
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if abs(value) <= MAX_JSON_INT else _dropped(dropped)
    if isinstance(value, float):
        return value if math.isfinite(value) else _dropped(dropped)
    if depth >= MAX_DEPTH or not isinstance(value, dict | list):
        return _dropped(dropped)
    if len(value) > MAX_ITEMS:
        dropped[0] += len(value) - MAX_ITEMS
    if isinstance(value, list):
        items = (_plain(v, depth + 1, dropped) for v in value[:MAX_ITEMS])
        return [v for v in items if v is not _DROP]
    out: dict[str, Any] = {}
    for key, item in list(value.items())[:MAX_ITEMS]:
        kept = _plain(item, depth + 1, dropped)
        if isinstance(key, str) and kept is not _DROP:
            out[strip_controls(key)[:MAX_NAME]] = kept
    return out


_DROP = object()


def _dropped(dropped: list[int]) -> object:
    dropped[0] += 1
    return _DROP


class _Secret:
    """A token that never shows itself in a repr, a log line or a pickle."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "<hidden>"

    __str__ = __repr__

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Hub token is never serialised")


class _InvalidAnswer(Exception):
    """The Hub answered 200 with a body that is not the JSON expected."""


class HubClient:
    """Talks to the Hugging Face Hub (or a mirror) for modelcat.

    Args:
        endpoint: Hub URL; defaults to ``HF_ENDPOINT``, then https://huggingface.co.
        token: a token string; ``False`` for none; ``None``/``True`` to use ``HF_TOKEN``,
            then the login file under ``HF_HOME``.
        offline: force offline mode on or off; ``None`` follows ``HF_HUB_OFFLINE`` (read at
            each call, so no request is ever made while it is set).
        timeout: seconds to wait for the Hub on each request.
        max_retries: retries after the first attempt for rate limits and transient failures.
        backoff: first wait in seconds between retries of transient failures (doubles).
        max_wait: total seconds a call may spend sleeping between retries.

    Raises:
        UsageError: an argument is out of range or the endpoint is not an http(s) URL.
    """

    def __init__(
        self,
        *,
        endpoint: str | None = None,
        token: str | bool | None = None,
        offline: bool | None = None,
        timeout: float = 10.0,
        max_retries: int = 3,
        backoff: float = 0.5,
        max_wait: float = 60.0,
    ) -> None:
        environ = os.environ
        url = (endpoint or environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
            raise UsageError(f"the Hub endpoint must be an http(s) URL, got {url!r}")
        if timeout <= 0 or max_retries < 0 or backoff < 0 or max_wait < 0:
            raise UsageError("timeout must be > 0; max_retries, backoff and max_wait >= 0")
        self.endpoint = url
        self.timeout = float(timeout)
        self.max_retries = max_retries
        self.backoff = float(backoff)
        self.max_wait = float(max_wait)
        self._offline = offline
        hf_home = Path(
            environ.get("HF_HOME")
            or Path(environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "huggingface"
        ).expanduser()
        self.cache_dir = Path(
            environ.get("HF_HUB_CACHE") or environ.get("HUGGINGFACE_HUB_CACHE") or hf_home / "hub"
        ).expanduser()
        """Where downloads land: ``HF_HUB_CACHE``, else ``$HF_HOME/hub``."""
        self._token = _resolve_token(token, hf_home)
        self._requests = 0
        self._requests_lock = threading.Lock()

    def __repr__(self) -> str:
        return (
            f"HubClient(endpoint={self.endpoint!r}, authenticated={self.authenticated}, "
            f"offline={self.offline}, timeout={self.timeout:g}, max_retries={self.max_retries})"
        )

    @property
    def authenticated(self) -> bool:
        """Whether requests carry a token."""
        return self._token is not None

    @property
    def requests_made(self) -> int:
        """HTTP requests this client has sent so far, retries included (thread-safe).

        A config.json download is one GET (none when a commit's copy is cached).
        """
        with self._requests_lock:
            return self._requests

    def _count(self, n: int = 1) -> None:
        with self._requests_lock:
            self._requests += n

    @property
    def offline(self) -> bool:
        """Offline mode: the explicit setting, else ``HF_HUB_OFFLINE`` right now."""
        if self._offline is not None:
            return self._offline
        value = os.environ.get("HF_HUB_OFFLINE") or os.environ.get("TRANSFORMERS_OFFLINE") or ""
        return value.strip().lower() in _TRUTHY

    # ---- public calls ---------------------------------------------------------------------

    def model_info(
        self,
        repo_id: str,
        *,
        expand: Sequence[str] = DEFAULT_EXPAND,
        revision: str | None = None,
    ) -> HubModel:
        """What the Hub says about one repo (one request, plus retries).

        Args:
            repo_id: ``owner/name``.
            expand: API properties to ask for; only these (and the id) come back. An empty
                list asks for the Hub's default set.
            revision: a branch, tag or commit; the default branch when None.

        Raises:
            UsageError: invalid repo id, revision or expand field.
            HubOfflineError, GatedModelError, HubError: see the module docstring.
        """
        _check_repo_id(repo_id)
        fields = _check_expand(expand)
        what = f"model info for {repo_id}"
        url = f"{self.endpoint}/api/models/{repo_id}"
        if revision is not None:
            url += f"/revision/{quote(_check_revision(revision), safe='')}"
        self._ensure_online(what)
        data, _ = self._retrying(
            what, functools.partial(self._get_json, url, _expand_params(fields))
        )
        if not isinstance(data, dict):
            raise HubError(f"invalid JSON from the Hub for {what}: expected an object")
        return HubModel.from_api(data)

    def list_models(
        self,
        *,
        author: str | None = None,
        search: str | None = None,
        pipeline_tag: str | None = None,
        tags: Sequence[str] = (),
        gated: bool | None = None,
        sort: ListSort | None = None,
        limit: int | None = None,
        expand: Sequence[str] = DEFAULT_EXPAND,
        page_size: int = MAX_PAGE_SIZE,
    ) -> Iterator[HubModel]:
        """Models matching the filters, fetched page by page as the iterator is consumed.

        Arguments are checked and offline mode is enforced when this is called; requests
        happen while iterating, ceil(N / page_size) of them for N models. Stop iterating to
        stop fetching.

        Args:
            author: exact namespace (user or organisation).
            search: case-insensitive substring of the repo id.
            pipeline_tag: e.g. ``text-generation``.
            tags: every one of these tags must be present.
            gated: only gated (True) or only non-gated (False) repos.
            sort: descending sort key; the Hub's own order when None.
            limit: the most models to yield; all when None.
            expand: API properties to ask for, as in ``model_info``.
            page_size: models per request, 1 to 1000.

        Raises:
            UsageError: invalid arguments.
            HubOfflineError, GatedModelError, HubError: see the module docstring.
        """
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise UsageError(f"page_size must be between 1 and {MAX_PAGE_SIZE}, got {page_size}")
        if limit is not None and limit < 0:
            raise UsageError(f"limit must be >= 0, got {limit}")
        if author is not None and (not HUB_ID_RE.match(author) or "/" in author):
            raise UsageError(f"{author!r} is not a valid Hub user or organisation name")
        if sort is not None and sort not in get_args(ListSort):
            raise UsageError(f"sort must be one of {', '.join(get_args(ListSort))}, got {sort!r}")
        fields = _check_expand(expand)
        self._ensure_online("model list")
        params: _Params = [("filter", tag) for tag in tags]
        for name, value in (("author", author), ("search", search), ("pipeline_tag", pipeline_tag)):
            if value:
                params.append((name, value))
        if gated is not None:
            params.append(("gated", "true" if gated else "false"))
        if sort is not None:
            params.append(("sort", sort))
        params.append(("limit", str(min(page_size, limit) if limit else page_size)))
        params += _expand_params(fields)
        return self._pages(f"{self.endpoint}/api/models", params, limit)

    def download_config(self, repo_id: str, *, revision: str = "main") -> dict[str, Any]:
        """The repo's config.json, parsed and kept in the Hugging Face cache (one GET).

        A config already cached for a commit-sha revision (or for any revision, offline) costs
        no request; otherwise one GET brings the file with its commit and ETag, and it is laid
        out in the cache as ``hf_hub_download`` would (``catalog.hub_cache``).

        Args:
            repo_id: ``owner/name``.
            revision: a branch, tag or commit sha (pass the sha from ``model_info`` to pin it).

        Raises:
            UsageError: invalid repo id or revision.
            HubError: no config.json at that revision, or it is not a JSON object.
            HubOfflineError, GatedModelError: see the module docstring.
        """
        from huggingface_hub import hf_hub_url

        _check_repo_id(repo_id)
        _check_revision(revision)
        what = f"{CONFIG_FILE} of {repo_id}@{revision}"
        if _COMMIT_RE.match(revision) or self.offline:
            cached = self._cached(repo_id, revision)
            if cached is not None:
                config = _try_config(cached)
                if config is not None:
                    return config
                _drop_cached(cached)  # a copy that does not parse (cut short): fetched again
        self._ensure_online(what)
        url = hf_hub_url(repo_id, CONFIG_FILE, revision=revision, endpoint=self.endpoint)
        content, version = self._retrying(what, functools.partial(self._get_file, url, what))
        config = _parse_config(content, what)
        try:
            hub_cache.store_file(
                self.cache_dir,
                repo_id,
                CONFIG_FILE,
                revision=revision,
                version=version,
                content=content,
            )
        except OSError as exc:
            raise HubError(
                f"{what}: cannot use the cache directory {self.cache_dir} ({exc})"
            ) from exc
        return config

    # ---- plumbing -------------------------------------------------------------------------

    def _ensure_online(self, what: str) -> None:
        if self.offline:
            raise HubOfflineError(
                f"{what}: offline mode is on (HF_HUB_OFFLINE); the Hub was not contacted"
            )

    def _cached(self, repo_id: str, revision: str) -> Path | None:
        from huggingface_hub import try_to_load_from_cache

        found = try_to_load_from_cache(
            repo_id, CONFIG_FILE, cache_dir=self.cache_dir, revision=revision
        )
        return Path(found) if isinstance(found, str) else None

    def _headers(self) -> dict[str, str]:
        # Built here rather than with huggingface_hub.utils.build_hf_headers (not exported for
        # type checkers); the token goes to the endpoint only, as a Bearer header.
        import huggingface_hub

        headers = {
            "user-agent": f"modelcat; hf_hub/{huggingface_hub.__version__}; "
            f"python/{platform.python_version()}"
        }
        if self._token is not None:
            headers["authorization"] = f"Bearer {self._token.reveal()}"
        return headers

    def _get_json(self, url: str, params: _Params | None) -> tuple[Any, str | None]:
        """One GET through huggingface_hub's session: (parsed JSON, next-page URL or None)."""
        from huggingface_hub import get_session, hf_raise_for_status

        self._count()
        response = get_session().get(
            url, params=params, headers=self._headers(), timeout=self.timeout
        )
        hf_raise_for_status(response)
        try:
            data = response.json()
        except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
            raise _InvalidAnswer(str(exc)) from exc
        next_url: str | None = response.links.get("next", {}).get("url")
        return data, next_url

    def _get_file(self, url: str, what: str) -> tuple[bytes, hub_cache.FileVersion]:
        """One GET of a config file: its bytes (at most ``MAX_JSON_BYTES``) and its version."""
        from huggingface_hub import get_session, hf_raise_for_status

        self._count()
        with get_session().stream(
            "GET", url, headers=self._headers(), timeout=self.timeout
        ) as response:
            hf_raise_for_status(response)
            # After a redirect to a CDN (an LFS file) the Hub's own answer holds the version.
            answers = [*response.history, response]
            hub_answer = next(
                (r for r in reversed(answers) if "x-repo-commit" in r.headers), response
            )
            version = hub_cache.file_version(hub_answer.headers)
            if version is None:
                raise HubError(
                    f"{what}: {self.endpoint} does not answer like a Hub (no commit or ETag)"
                )
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_JSON_BYTES:
                    raise HubError(f"{what} is larger than {MAX_JSON_BYTES} bytes: not a config")
        return bytes(body), version

    def _pages(self, url: str, params: _Params, limit: int | None) -> Iterator[HubModel]:
        yielded = 0
        next_url: str | None = url
        query: _Params | None = params
        page = 0
        seen: set[str] = set()
        while next_url is not None and (limit is None or yielded < limit):
            page += 1
            what = f"model list (page {page})"
            self._ensure_online(what)
            data, next_url = self._retrying(
                what, functools.partial(self._get_json, next_url, query)
            )
            query = None  # the next URL carries every parameter
            if not isinstance(data, list):
                raise HubError(f"invalid JSON from the Hub for {what}: expected a list")
            for item in data:
                if not isinstance(item, dict):
                    raise HubError(f"invalid JSON from the Hub for {what}: expected objects")
                try:
                    model = HubModel.from_api(item)
                except HubError:
                    continue  # no valid id: nothing can be stored or asked about it again
                yield model
                yielded += 1
                if limit is not None and yielded >= limit:
                    return
            if next_url is not None:
                if not _same_origin(next_url, self.endpoint):
                    raise HubError(
                        f"{what}: the next-page link leaves {self.endpoint}; not followed"
                    )
                if next_url in seen:
                    raise HubError(f"{what}: the next-page link repeats an earlier page")
                seen.add(next_url)

    def _retrying(self, what: str, call: Callable[[], T]) -> T:
        """Run ``call``, retrying transient failures; map every failure to a CatalogError."""
        slept = 0.0
        attempt = 0
        while True:
            try:
                return call()
            except CatalogError:
                raise
            except Exception as exc:
                plan = self._retry_plan(exc, what, attempt)
                if plan is None:
                    raise
                failure: Exception = exc
            reason, wait = plan
            attempt += 1
            if attempt > self.max_retries or slept + wait > self.max_wait:
                tries = f"{attempt} attempt{'s' if attempt > 1 else ''}"
                raise HubError(f"{what}: {reason} (gave up after {tries})") from failure
            time.sleep(wait)
            slept += wait

    def _retry_plan(self, exc: Exception, what: str, attempt: int) -> tuple[str, float] | None:
        """(reason, seconds to wait) for a transient failure; raises for a final one.

        Returns None for an exception that is not about the Hub (a bug: let it propagate).
        """
        from huggingface_hub import errors as hf
        from huggingface_hub.utils import httpx  # type: ignore[attr-defined]  # httpx2 on 2.x

        backoff = min(self.backoff * 2**attempt, _MAX_BACKOFF)
        if isinstance(exc, hf.OfflineModeIsEnabled):
            raise HubOfflineError(
                f"{what}: offline mode is on (HF_HUB_OFFLINE); the Hub was not contacted"
            ) from exc
        if isinstance(exc, hf.GatedRepoError):
            hint = (
                "use a token that has been granted access"
                if self.authenticated
                else "no token was sent"
            )
            raise GatedModelError(
                f"{what}: the repository is gated; request access on the Hub ({hint})"
            ) from exc
        if isinstance(exc, hf.RevisionNotFoundError):
            raise HubError(f"{what}: revision not found") from exc
        if isinstance(exc, hf.RemoteEntryNotFoundError):
            raise HubError(f"{what}: file not found in the repository") from exc
        if isinstance(exc, hf.DisabledRepoError):
            raise HubError(f"{what}: the repository is disabled") from exc
        if isinstance(exc, hf.RepositoryNotFoundError):
            raise HubError(f"{what}: repo not found (it does not exist or is private)") from exc
        if isinstance(exc, hf.HfHubHTTPError):
            status = exc.response.status_code
            detail = f": {exc.server_message.strip()}" if exc.server_message else ""
            if status == 429 or status == 408 or status >= 500:
                retry_after = _retry_after(exc.response.headers)
                label = f"HTTP {status}" + (" (rate limited)" if status == 429 else "")
                if retry_after is not None:
                    return f"{label}, Retry-After {retry_after:g} s", retry_after
                return label, backoff
            raise HubError(f"{what}: HTTP {status} from the Hub{detail}") from exc
        if isinstance(exc, httpx.TimeoutException):
            return f"no answer within {self.timeout:g} s", backoff
        if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
            # Not about this model: retrying, or asking about the next one, fails the same way.
            raise HubUnreachableError(self.endpoint, _unreachable_reason(exc)) from exc
        if isinstance(exc, (httpx.NetworkError, httpx.RemoteProtocolError)):
            return "the connection broke before a full answer", backoff
        if isinstance(exc, _InvalidAnswer):
            raise HubError(f"invalid JSON from the Hub for {what}: {exc}") from exc
        return None


# ---- helpers ------------------------------------------------------------------------------


def _unreachable_reason(exc: BaseException) -> str:
    """Why no connection was made, from the OS error under the HTTP library's exception."""
    import errno
    import socket

    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, socket.gaierror):
            return "the host name does not resolve (DNS)"
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, OSError) and cause.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
            return "no route to the host (network unreachable)"
        cause = cause.__cause__ or cause.__context__
    if "timeout" in type(exc).__name__.lower():
        return "no connection within the timeout"
    text = str(exc).strip().splitlines()
    lowered = text[0].lower() if text else ""
    if "name or service not known" in lowered or "nodename nor servname" in lowered:
        return "the host name does not resolve (DNS)"
    if "refused" in lowered:
        return "connection refused"
    return clip(text[0], 120) if text else "no connection"


def _resolve_token(token: str | bool | None, hf_home: Path) -> _Secret | None:
    if token is False:
        return None
    if isinstance(token, str):
        return _Secret(token.strip()) if token.strip() else None
    value = os.environ.get("HF_TOKEN") or os.environ.get("HUGGING_FACE_HUB_TOKEN")
    if not value:
        path = Path(os.environ.get("HF_TOKEN_PATH") or hf_home / "token").expanduser()
        try:
            value = path.read_text(encoding="utf-8")
        except OSError:
            value = None
    value = (value or "").strip()
    return _Secret(value) if value else None


def _check_repo_id(repo_id: str) -> str:
    if not HUB_ID_RE.match(repo_id) or ".." in repo_id:
        raise UsageError(f"{repo_id!r} is not a valid Hub repo id (owner/name)")
    return repo_id


def _check_revision(revision: str) -> str:
    if not _REVISION_RE.match(revision) or ".." in revision:
        raise UsageError(f"{revision!r} is not a valid revision (branch, tag or commit sha)")
    return revision


def _check_expand(expand: Sequence[str]) -> list[str]:
    if isinstance(expand, str):
        raise UsageError("expand must be a list of field names, not a string")
    unknown = [f for f in expand if f not in EXPAND_FIELDS]
    if unknown:
        raise UsageError(
            f"unknown expand field(s) {unknown}; known: {', '.join(sorted(EXPAND_FIELDS))}"
        )
    return list(dict.fromkeys(expand))


def _expand_params(fields: Sequence[str]) -> _Params:
    return [("expand", f) for f in fields]


def _same_origin(url: str, endpoint: str) -> bool:
    a, b = urlsplit(url), urlsplit(endpoint)
    return (a.scheme, a.netloc) == (b.scheme, b.netloc)


def _retry_after(headers: Mapping[str, str]) -> float | None:
    value = headers.get("retry-after", "").strip()
    return float(value) if value.isdigit() else None


def _read_config(path: Path, what: str) -> dict[str, Any]:
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise HubError(f"{what} could not be read from the cache ({exc})") from exc
    return _parse_config(content, what)


def _parse_config(content: bytes, what: str) -> dict[str, Any]:
    try:
        data = json.loads(content)
    except ValueError as exc:
        raise HubError(f"{what} is not valid JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise HubError(f"{what} is not a JSON object")
    return data


def _try_config(path: Path) -> dict[str, Any] | None:
    """A cached config.json, or None when it cannot be read or parsed."""
    try:
        return _read_config(path, CONFIG_FILE)
    except HubError:
        return None


def _drop_cached(pointer: Path) -> None:
    """Remove an unreadable cached file (its snapshot link and blob)."""
    try:
        blob = pointer.resolve()
        pointer.unlink(missing_ok=True)
        if blob != pointer:
            blob.unlink(missing_ok=True)
    except OSError:
        pass


def _lists_file(siblings: Any, name: str) -> bool | None:
    """Whether a ``siblings`` list names the file; None when there is no list."""
    if not isinstance(siblings, list):
        return None
    return any(isinstance(s, dict) and s.get("rfilename") == name for s in siblings)


def _dict(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, dict) else {}


def _bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _date(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _gated(value: Any) -> GatedMode | None:
    if value is False:
        return False
    if value == "auto":
        return "auto"
    if value == "manual":
        return "manual"
    return None


def _license(card: Mapping[str, Any], tags: Sequence[str]) -> str | None:
    value = card.get("license")
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str)), None)
    if isinstance(value, str) and value:
        return value
    return next((t.removeprefix("license:") for t in tags if t.startswith("license:")), None)


def _base_models(
    card: Mapping[str, Any], base_models: Mapping[str, Any], tags: Sequence[str]
) -> tuple[str, ...]:
    found: list[str] = []
    declared = card.get("base_model")
    found += (
        [declared]
        if isinstance(declared, str)
        else [b for b in declared or () if isinstance(b, str)]
    )
    for entry in base_models.get("models") or ():
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            found.append(entry["id"])
    for tag in tags:
        if tag.startswith("base_model:"):
            rest = tag.removeprefix("base_model:")
            relation, _, repo_id = rest.partition(":")
            found.append(repo_id if relation in _BASE_MODEL_RELATIONS and repo_id else rest)
    return tuple(dict.fromkeys(b for b in found if b))


def _is_quantized_tag(tag: str) -> bool:
    return tag.lower() in _QUANTIZED_TAGS or tag.startswith("base_model:quantized:")
