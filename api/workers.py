"""Worker threads for the event loop's short CPU-bound jobs, and the log's futures awaited without a thread.

``loop.run_in_executor`` (and AnyIO's ``to_thread``) hand a job over through a
``concurrent.futures`` future, with its condition variable, the executor's
locks and ``wrap_future``'s chained callbacks on the way back: for a job of a
few dozen microseconds, as much again. A job here is one ``SimpleQueue.put``
and, once done, one ``call_soon_threadsafe`` that settles an asyncio future.
"""

from __future__ import annotations

import asyncio
import os
import queue
import threading
from collections.abc import Callable
from concurrent.futures import CancelledError, Future
from contextlib import suppress
from typing import Any, TypeVar

__all__ = ["Workers", "settled"]

A = TypeVar("A")
R = TypeVar("R")
_Job = tuple[asyncio.AbstractEventLoop, "asyncio.Future[Any]", Callable[[Any], Any], Any]


class Workers:
    """A fixed set of daemon threads taking jobs from one queue; started at once, ended by ``stop``."""

    def __init__(self, threads: int | None = None, *, name: str = "cunzheng-worker") -> None:
        count = threads if threads is not None else min(8, (os.cpu_count() or 1) + 2)
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._threads = [
            threading.Thread(target=self._work, name=f"{name}-{i}", daemon=True)
            for i in range(count)
        ]
        for thread in self._threads:
            thread.start()

    def run(self, fn: Callable[[A], R], arg: A) -> asyncio.Future[R]:
        """Return a future of the running loop that resolves to ``fn(arg)``, run in a worker thread."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[R] = loop.create_future()
        self._jobs.put((loop, future, fn, arg))
        return future

    def stop(self) -> None:
        """Let each thread finish the jobs queued before, then end it."""
        for _ in self._threads:
            self._jobs.put(None)
        for thread in self._threads:
            thread.join()

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            loop, future, fn, arg = job
            try:
                result, error = fn(arg), None
            except BaseException as e:  # handed to the awaiting task, as an executor would
                result, error = None, e
            with suppress(RuntimeError):  # a closed loop: nobody waits for the answer
                loop.call_soon_threadsafe(_settle, future, result, error)
            del job, future, result, error


def settled(future: Future[R]) -> asyncio.Future[R]:
    """Return a future of the running loop that takes *future*'s result or exception.

    Unlike ``asyncio.wrap_future``, cancelling the returned future (a timeout)
    leaves *future* alone: the log still commits the statement, and its result
    is dropped.
    """
    loop = asyncio.get_running_loop()
    waiter: asyncio.Future[R] = loop.create_future()

    def done(source: Future[R]) -> None:
        error = CancelledError() if source.cancelled() else source.exception()
        with suppress(RuntimeError):  # a closed loop: nobody waits for the answer
            if error is None:
                loop.call_soon_threadsafe(_settle, waiter, source.result(), None)
            else:
                loop.call_soon_threadsafe(_settle, waiter, None, error)

    future.add_done_callback(done)
    return waiter


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.done():  # cancelled while the job ran
        return
    if error is None:
        future.set_result(result)
    else:
        future.set_exception(error)
