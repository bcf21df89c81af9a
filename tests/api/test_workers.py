"""api.workers: jobs run in worker threads, and the log's futures awaited on the event loop."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import Future

import pytest

from cunzheng.api.workers import Workers, settled


def test_jobs_run_in_worker_threads_and_errors_reach_the_caller() -> None:
    workers = Workers(2)

    async def main() -> None:
        names = await asyncio.gather(
            *(workers.run(lambda _: threading.current_thread().name, i) for i in range(8))
        )
        assert all(name.startswith("cunzheng-worker-") for name in names)
        assert await workers.run(lambda x: x * 2, 21) == 42
        with pytest.raises(ZeroDivisionError):
            await workers.run(lambda x: 1 // x, 0)

    try:
        asyncio.run(main())
    finally:
        workers.stop()


def test_settled_takes_the_result_or_the_exception() -> None:
    async def main() -> None:
        done: Future[int] = Future()
        waiter = settled(done)
        threading.Timer(0.01, done.set_result, (7,)).start()
        assert await waiter == 7
        failed: Future[int] = Future()
        failed.set_exception(KeyError("x"))
        with pytest.raises(KeyError):
            await settled(failed)

    asyncio.run(main())


def test_a_timeout_leaves_the_log_future_alone() -> None:
    async def main() -> Future[int]:
        pending: Future[int] = Future()
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.01):
                await settled(pending)
        return pending

    pending = asyncio.run(main())
    assert not pending.cancelled()
    pending.set_result(1)  # the log still resolves it; the answer is dropped
