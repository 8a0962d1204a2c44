"""Worker processes for a large glossary: loading it and writing its export use every core."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

# The glossary size from which workers help: below it, starting them costs more than they save.
PARALLEL_TERMS = 500

Batch = TypeVar("Batch")
Result = TypeVar("Result")


def worker_processes(terms: int) -> int:
    """Worker processes for work on `terms` terms: one per core this process may use. None for a
    small glossary, nor where a fork is unsafe: without fork (Windows), or while the caller runs
    other threads, whose locks a forked child could inherit held."""
    forkable = "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
    if terms < PARALLEL_TERMS or not forkable:
        return 0
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def map_batches(function: Callable[[Batch], Result], batches: Iterable[Batch], processes: int) -> Iterator[Result]:
    """`function` of each batch, in order: in this process, or in `processes` forked workers
    while `batches` is still producing the next ones."""
    if not processes:
        yield from map(function, batches)
        return
    # Forked (as Sphinx's parallel build does): a spawned worker would import the caller's main
    # module again, which a script without an `if __name__ == "__main__"` guard cannot survive.
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(processes, mp_context=context) as pool:
        yield from pool.map(function, batches)
