"""What the sync asks the Hub: a cheap check of many repos, and a full fetch of one.

The cheap check asks only for ``sha``, ``lastModified`` and the fields that change without a
commit (gated, downloads, likes), one listing per author where several curated repos share
one, else one small ``model_info``. A full fetch is the repo's whole info plus its config.json
pinned to the commit just seen.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from catalog.errors import CatalogError, GatedModelError, HubError, HubUnreachableError
from catalog.hub import HubClient, HubModel
from catalog.store.hub_records import HubSnapshot
from catalog.sync.pool import run_bounded

CHEAP_EXPAND = ("sha", "lastModified", "gated", "private", "disabled", "downloads", "likes")

Outcome = Callable[[str, HubModel | None, CatalogError | None], None]
"""Called on the calling thread with (repo id as asked, answer or None, error or None)."""


@dataclass(frozen=True)
class Fetched:
    """A repo's full info, its config.json, and why the config is missing if it is."""

    info: HubModel
    config: dict[str, Any] | None
    config_note: str | None


def fetch_model(client: HubClient, repo_id: str) -> Fetched:
    """The repo's info (every field modelcat stores) and its config.json at that commit.

    At most two requests: the info, and one GET of config.json when the info's file list
    (``siblings``) has one. A gated repo's config.json needs an access grant; without one the
    info is still stored, with a note saying why the config is missing.

    Raises:
        HubError: the info or the config cannot be had (the reason says which and why).
    """
    info = client.model_info(repo_id)
    if info.sha is None:
        raise HubError(f"model info for {repo_id}: the Hub sent no commit sha")
    if info.has_config is False:
        return Fetched(info, None, "no config.json in the repository")
    try:
        config = client.download_config(repo_id, revision=info.sha)
    except GatedModelError as exc:
        if not info.gated:
            raise
        note = (
            "config.json not downloaded: the repository is gated; request access on the Hub "
            "and sync again with a token (HF_TOKEN) that has it"
        )
        return Fetched(info, None, note if not client.authenticated else f"{note} ({exc})")
    return Fetched(info, config, None)


def cheap_check(
    client: HubClient,
    repo_ids: Iterable[str],
    *,
    listed_authors: Iterable[str],
    concurrency: int,
    cancel: threading.Event | None,
    on_done: Outcome,
) -> list[str]:
    """Cheaply check each repo: one listing per author in ``listed_authors``, else one info call.

    A repo missing from its author's listing, or whose listing failed, gets its own info call.

    Returns:
        The repo ids never checked because ``cancel`` was set.
    """
    wanted = list(dict.fromkeys(repo_ids))
    authors = set(listed_authors)
    by_author: dict[str, list[str]] = {}
    single: list[str] = []
    for repo_id in wanted:
        author = repo_id.split("/", 1)[0] if "/" in repo_id else None
        if author is not None and author in authors:
            by_author.setdefault(author, []).append(repo_id)
        else:
            single.append(repo_id)

    def listing(author: str) -> dict[str, HubModel]:
        found = list(client.list_models(author=author, expand=CHEAP_EXPAND))
        # The exact spelling first; the Hub matches ids case-insensitively.
        by_id = {m.repo_id.lower(): m for m in found}
        by_id.update({m.repo_id: m for m in found})
        return by_id

    def listed(author: str, result: dict[str, HubModel] | None, error: CatalogError | None) -> None:
        if isinstance(error, HubUnreachableError):  # the single calls would fail the same way
            for repo_id in by_author[author]:
                on_done(repo_id, None, error)
            return
        for repo_id in by_author[author]:
            answer = (result or {}).get(repo_id) or (result or {}).get(repo_id.lower())
            if answer is None:
                single.append(repo_id)  # not listed (renamed, hidden) or the listing failed
            else:
                on_done(repo_id, answer, None)

    skipped_authors = run_bounded(
        list(by_author), listing, concurrency=concurrency, cancel=cancel, on_done=listed
    )
    skipped = [r for a in skipped_authors for r in by_author[a]]
    skipped += run_bounded(
        single,
        lambda r: client.model_info(r, expand=CHEAP_EXPAND),
        concurrency=concurrency,
        cancel=cancel,
        on_done=on_done,
    )
    return skipped


def needs_fetch(stored: HubSnapshot | None, cheap: HubModel | None, *, full: bool) -> bool:
    """Whether a repo must be fetched in full: forced, new, failed last time, only listed, or changed."""
    if full or stored is None or cheap is None or stored.error:
        return True
    # A discovery listing stores a sha but no config.json; a full fetch always leaves either
    # the config or the note saying why there is none.
    if stored.config is None and stored.config_note is None:
        return True
    if stored.sha is None or cheap.sha is None:
        return True
    return cheap.sha != stored.sha or cheap.last_modified != stored.last_modified
