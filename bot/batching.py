"""Micro-batching: concurrent single calls become one batched call (e.g. TextAnalyzer.analyze_many).

Under load, messages that arrive while a batch is running wait for the next one and share it, so one
transformer pass serves many chats; alone, a message goes through at once with no added delay.
"""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

In = TypeVar("In")
Out = TypeVar("Out")


class MicroBatcher(Generic[In, Out]):
    def __init__(self, run_batch: Callable[[list[In]], Awaitable[Sequence[Out]]], max_batch: int = 32,
                 max_in_flight: int = 1):
        self._run_batch, self._max_batch, self._max_in_flight = run_batch, max_batch, max_in_flight
        self._pending: list[tuple[In, asyncio.Future[Out]]] = []
        self._in_flight = 0
        self._tasks: set[asyncio.Task[None]] = set()  # the loop keeps only weak references to tasks

    async def __call__(self, item: In) -> Out:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Out] = loop.create_future()
        self._pending.append((item, future))
        if len(self._pending) == 1:  # start on the next loop pass, so callers arriving together share it
            loop.call_soon(self._start_batches)
        return await future

    def _start_batches(self) -> None:
        while self._pending and self._in_flight < self._max_in_flight:
            batch, self._pending = self._pending[:self._max_batch], self._pending[self._max_batch:]
            self._in_flight += 1
            task = asyncio.create_task(self._run(batch))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _run(self, batch: list[tuple[In, asyncio.Future[Out]]]) -> None:
        try:
            results = list(await self._run_batch([item for item, _ in batch]))
            if len(results) != len(batch):
                raise ValueError(f"a batch of {len(batch)} gave {len(results)} results")
        except Exception as error:  # every caller of the batch sees the failure
            for _, future in batch:
                if not future.done():
                    future.set_exception(error)
        else:
            for (_, future), result in zip(batch, results):
                if not future.done():
                    future.set_result(result)
        finally:
            self._in_flight -= 1
            self._start_batches()
