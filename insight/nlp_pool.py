"""spaCy work over many items shared with helper processes (:func:`map_chunks`).

The vocabulary parse and the name NER of redaction run over every text of a study;
on a machine with more than one core, spawned helper processes (each loading the same
pipeline through :func:`insight.nlp.load_spacy`) take pieces of it. Nothing here is
imported by ``import insight``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from insight import nlp as nlp_

if TYPE_CHECKING:
    from spacy.language import Language

#: Items handed to a helper process at a time.
CHUNK_ITEMS = 200
#: ``$INSIGHT_PARSE_WORKERS``: helper processes that run spaCy beside this one (default:
#: one per further CPU core, at most 3; ``0`` runs everything here).
WORKERS_ENV = "INSIGHT_PARSE_WORKERS"

T = TypeVar("T")
R = TypeVar("R")
#: ``fn(nlp, items, batch_size)`` -> one result per item; a module-level function
ChunkFn = Callable[["Language", list[T], int], list[R]]


def parse_workers(n_items: int, nlp: object, min_items: int) -> int:
    """Helper processes for ``n_items``: none below ``min_items`` (a helper needs a few
    seconds to load spaCy), for a pipeline not loaded by :func:`insight.nlp.load_spacy`, or on
    one core."""
    import os

    env = os.environ.get(WORKERS_ENV, "").strip()
    if nlp_.spacy_spec(nlp) is None:
        return 0
    if env:
        return max(0, int(env))
    if n_items < min_items:
        return 0
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(0, min(3, (cores or 1) - 1))


_WORKER: dict[str, Any] = {}


def _init_worker(name: str, disable: tuple[str, ...]) -> None:
    _WORKER["nlp"] = nlp_.load_spacy(name, disable)


def _run_chunk(fn: ChunkFn[T, R], items: list[T], batch_size: int) -> list[R]:
    return fn(_WORKER["nlp"], items, batch_size)


def map_chunks(
    fn: ChunkFn[T, R],
    items: list[T],
    nlp: Language,
    batch_size: int = 256,
    min_items: int = 3000,
    advance: Callable[[int], object] | None = None,
) -> list[R]:
    """``fn(nlp, chunk, batch_size)`` over ``items`` in chunks of :data:`CHUNK_ITEMS`, in order.

    With :func:`parse_workers` helpers (``spawn``ed processes that load the same pipeline
    through :func:`insight.nlp.load_spacy`), each helper has at most two chunks queued and this
    process runs the next chunk itself meanwhile, so it is never idle and a slow helper
    start costs little. ``fn`` must give each item a result that depends on that item
    only: the output is then the same however the chunks are shared. A helper that dies
    (out of memory, a script without a ``__main__`` guard) leaves its chunks to this
    process. ``advance(n)``: called as items are done (a progress bar).
    """
    import multiprocessing
    from concurrent.futures import Future, ProcessPoolExecutor

    step = advance or (lambda n: None)
    n_workers = parse_workers(len(items), nlp, min_items)
    spec = nlp_.spacy_spec(nlp)
    if n_workers == 0 or spec is None:
        out: list[R] = []
        for i in range(0, len(items), CHUNK_ITEMS):
            out += fn(nlp, items[i : i + CHUNK_ITEMS], batch_size)
            step(len(items[i : i + CHUNK_ITEMS]))
        return out
    chunks = [items[i : i + CHUNK_ITEMS] for i in range(0, len(items), CHUNK_ITEMS)]
    done: dict[int, list[R]] = {}
    pending: dict[Future[list[R]], int] = {}
    broken = False

    def here(i: int) -> None:
        done[i] = fn(nlp, chunks[i], batch_size)
        step(len(chunks[i]))

    def collect(block: bool) -> None:
        nonlocal broken
        for fut in [f for f in pending if block or f.done()]:
            i = pending.pop(fut)
            try:
                done[i] = fut.result()
                step(len(chunks[i]))
            except Exception:  # the helper died: this process runs that chunk
                broken = True
                here(i)

    queue = iter(range(len(chunks)))
    with ProcessPoolExecutor(
        max_workers=n_workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_init_worker,
        initargs=spec,
    ) as pool:
        for i in queue:
            collect(block=False)
            while not broken and len(pending) < 2 * n_workers:
                try:
                    pending[pool.submit(_run_chunk, fn, chunks[i], batch_size)] = i
                except RuntimeError:  # BrokenProcessPool: run the rest here
                    broken = True
                    break
                i = next(queue, -1)
                if i < 0:
                    break
            if i >= 0:
                here(i)
        collect(block=True)
    return [r for i in range(len(chunks)) for r in done[i]]
