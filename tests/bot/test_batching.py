"""MicroBatcher: concurrent calls share batches, each caller gets its own result or the batch's error."""
import asyncio

import pytest

from bot.batching import MicroBatcher


async def test_concurrent_calls_share_a_batch_and_get_their_own_results():
    sizes = []

    async def double_all(items):
        sizes.append(len(items))
        await asyncio.sleep(0.01)
        return [2 * i for i in items]

    batcher = MicroBatcher(double_all, max_batch=4, max_in_flight=1)
    results = await asyncio.gather(*(batcher(i) for i in range(10)))
    assert results == [2 * i for i in range(10)]
    assert sizes == [4, 4, 2]  # all ten were waiting before the first batch started


async def test_a_lone_call_goes_through_alone():
    batcher = MicroBatcher(lambda items: asyncio.sleep(0, result=[i + 1 for i in items]))
    assert await batcher(1) == 2
    assert await batcher(5) == 6


async def test_a_failing_batch_fails_each_of_its_callers_and_the_next_batch_still_runs():
    calls = 0

    async def flaky(items):
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("model crashed")
        return items

    batcher = MicroBatcher(flaky, max_batch=2, max_in_flight=1)
    results = await asyncio.gather(*(batcher(i) for i in range(4)), return_exceptions=True)
    assert [type(r) for r in results[:2]] == [RuntimeError, RuntimeError]
    assert results[2:] == [2, 3]


async def test_mismatched_batch_results_are_an_error_not_a_mixup():
    batcher = MicroBatcher(lambda items: asyncio.sleep(0, result=items[:-1]), max_batch=8)
    with pytest.raises(ValueError):
        await asyncio.gather(*(batcher(i) for i in range(3)))
