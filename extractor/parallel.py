"""Work spread over processes, results in input order.

The first tasks run in this process: they load what the corpus needs (rule files, gazetteers,
tokenizers) as a side effect, and a small run never starts a worker. Then the workers are forked, so
each starts with everything already loaded and shared copy-on-write; where fork is unavailable they
are spawned and warm themselves up with an initializer. At most `window` tasks are in flight, so the
input is read only as fast as it is processed and memory stays flat.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Tasks run here before any worker starts: the warm-up (the first article of a language loads its rules,
# gazetteer and tokenizer, which the forked workers then share), and the whole of a small run. Each
# is run while the other cores wait: 8 took half a second of a 1,000-article run, 2 are enough.
WARM_UP_TASKS = 2


def free_cores() -> int:
    """The cores this process may use that other work is not already using (1-minute load average)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    try:
        busy = int(os.getloadavg()[0] + 0.5)
    except OSError:
        busy = 0
    return max(1, min(cores, cores - busy))


def _worker_init(warm_up: Callable[[], None] | None) -> None:
    # Ctrl-C reaches the whole process group: the parent alone decides what an interruption means.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if warm_up is not None:
        warm_up()


def _context() -> tuple[Any, bool]:
    """A fork context where forking is safe (Linux), else spawn (the workers then warm up themselves)."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and os.uname().sysname == "Linux":
        return multiprocessing.get_context("fork"), True
    return multiprocessing.get_context("spawn"), False


def ordered_map(fn: Callable[..., R], tasks: Iterable[tuple[T, tuple[Any, ...] | None]], workers: int,
                warm_up: Callable[[], None] | None = None, window_per_worker: int = 4) -> Iterator[tuple[T, R | None]]:
    """(tag, fn(*args)) for every (tag, args) of `tasks`, in order; args None is a tag passed through
    (None for its result) without a process round trip."""
    tasks = iter(tasks)
    done_here = 0
    for tag, args in tasks:
        yield tag, (fn(*args) if args is not None else None)
        if args is not None:
            done_here += 1
        if workers > 1 and done_here >= WARM_UP_TASKS:
            break
    else:
        return
    context, forked = _context()
    executor = ProcessPoolExecutor(workers, mp_context=context, initializer=_worker_init,
                                   initargs=(None if forked else warm_up,))
    pending: deque[tuple[T, Future[R] | None]] = deque()
    try:
        for tag, args in tasks:
            pending.append((tag, executor.submit(fn, *args) if args is not None else None))
            while len(pending) >= workers * window_per_worker:
                yield _collect(pending.popleft())
        while pending:
            yield _collect(pending.popleft())
    except BaseException:
        _stop(executor)
        raise
    executor.shutdown(wait=True)


class WorkerDied(RuntimeError):
    """A worker process ended without its results (killed by the kernel for memory, say)."""


def _collect(entry: tuple[T, Future[R] | None]) -> tuple[T, R | None]:
    tag, future = entry
    try:
        return tag, (future.result() if future is not None else None)
    except BrokenProcessPool as e:
        raise WorkerDied(f"a worker process died ({e})") from None


def _stop(executor: ProcessPoolExecutor) -> None:
    """Workers ended now: an interrupted run does not wait for the tasks in flight."""
    processes = list((getattr(executor, "_processes", None) or {}).values())
    executor.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=5)
