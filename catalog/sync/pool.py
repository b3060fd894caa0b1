"""Run Hub requests on a few threads, handing each result back to the calling thread.

Only the calling thread touches the database, so SQLite never sees two writers from one sync.
At most ``concurrency`` items are in flight: a cancel stops new work at once and waits only
for those.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TypeVar

from catalog.errors import CatalogError

T = TypeVar("T")
R = TypeVar("R")


def run_bounded(
    items: Iterable[T],
    work: Callable[[T], R],
    *,
    concurrency: int,
    cancel: threading.Event | None,
    on_done: Callable[[T, R | None, CatalogError | None], None],
) -> list[T]:
    """Call ``work(item)`` for each item on up to ``concurrency`` threads.

    ``on_done(item, result, error)`` runs on the calling thread as each call finishes; a
    ``CatalogError`` is handed over as ``error``, any other exception (a bug) is raised once
    the calls in flight have finished.

    Returns:
        The items never started because ``cancel`` was set.
    """
    pending = list(items)
    pending.reverse()  # pop() from the end keeps the given order
    in_flight: dict[Future[R], T] = {}
    with ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="sync") as pool:
        while pending or in_flight:
            while pending and len(in_flight) < concurrency and not _is_set(cancel):
                item = pending.pop()
                in_flight[pool.submit(work, item)] = item
            if not in_flight:
                break
            done, _ = wait(list(in_flight), return_when=FIRST_COMPLETED)
            for future in done:
                item = in_flight.pop(future)
                error = future.exception()
                if error is None:
                    on_done(item, future.result(), None)
                elif isinstance(error, CatalogError):
                    on_done(item, None, error)
                else:
                    _drain(in_flight)
                    raise error
    pending.reverse()
    return pending


def _is_set(event: threading.Event | None) -> bool:
    return event is not None and event.is_set()


def _drain(in_flight: dict[Future[R], T]) -> None:
    for future in in_flight:
        future.cancel()
    wait(list(in_flight))
