"""The Redis Streams inbox (storage/redis_inbox.py) against a real Redis (TEST_REDIS_URL; .ci/run
starts one): several workers, one user's updates in order across them, a killed worker's taken over."""
from __future__ import annotations

import asyncio
import os
import uuid

import pytest

from storage import redis_inbox
from storage.inbox import DONE
from storage.redis_inbox import RedisInbox

REDIS_URL = os.environ.get("TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL not set: no Redis server (.ci/run starts one)")


class Worker:
    """A RedisInbox as one worker uses it, with a way to wait until something can be claimed."""

    def __init__(self, name: str) -> None:
        self.inbox = RedisInbox(REDIS_URL, name)
        self.ready = asyncio.Event()

    async def start(self) -> Worker:
        await self.inbox.start(self.ready.set)
        return self


@pytest.fixture(autouse=True)
def own_keys(monkeypatch):
    monkeypatch.setattr(redis_inbox, "PREFIX", f"test-{uuid.uuid4().hex}")


@pytest.fixture
async def workers():
    started: list[RedisInbox] = []

    async def start(n: int) -> list[Worker]:
        made = [await Worker(f"w{len(started) + i}").start() for i in range(n)]
        started.extend(w.inbox for w in made)
        return made

    yield start
    for inbox in started:
        await inbox.close()


@pytest.fixture
async def webhook():
    """The webhook's inbox: it only puts."""
    inbox = RedisInbox(REDIS_URL, "webhook")
    await inbox.setup()
    yield inbox
    await inbox.close()


async def claim_any(workers: list[Worker], timeout: float = 10.0) -> list[tuple]:
    """(envelope, worker) for whatever any worker can claim now; waits until one can."""
    async with asyncio.timeout(timeout):
        while True:
            for worker in workers:
                worker.ready.clear()
            for worker in workers:
                got = await worker.inbox.claim(10)
                if got:
                    return [(e, worker) for e in got]
            waits = [asyncio.create_task(w.ready.wait()) for w in workers]
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            for wait in waits:
                wait.cancel()


async def test_put_ignores_an_update_it_already_has(webhook):
    assert await webhook.put([(1, 10, '{"update_id": 1}'), (2, 10, '{"update_id": 2}')]) == 2
    assert await webhook.put([(1, 10, '{"update_id": 1}')]) == 0


async def test_one_users_updates_in_order_across_workers_others_in_parallel(webhook, workers):
    pool = await workers(3)
    await webhook.put([(1, 10, "a1"), (2, 10, "a2"), (3, 20, "b1"), (4, 10, "a3")])
    out = await claim_any(pool)
    while len(out) < 2:  # user 20's first and user 10's first, from whichever workers read them
        out += await claim_any(pool)
    assert sorted(e.update_id for e, _ in out) == [1, 3]
    await asyncio.sleep(0.3)  # let the feeders read everything: what is checked is what may be claimed
    assert [await w.inbox.claim(10) for w in pool] == [[], [], []]  # nothing until update 1 is acknowledged
    handled = []
    for expected in (2, 4):
        for envelope, worker in out:
            await worker.inbox.ack(envelope.update_id, DONE)
            handled.append(envelope.update_id)
        out = await claim_any(pool)
        assert [e.update_id for e, _ in out] == [expected]
    await out[0][1].inbox.ack(4, DONE)
    assert [i for i in handled if i != 3] == [1, 2]
    assert await webhook.waiting() == 0


async def test_a_killed_workers_updates_go_to_another_and_keep_their_answered_mark(webhook, workers, monkeypatch):
    monkeypatch.setattr(redis_inbox, "LEASE_MS", 600)
    (doomed,) = await workers(1)
    await webhook.put([(1, 10, "a1"), (2, 10, "a2")])
    ((envelope, _),) = await claim_any([doomed])
    await doomed.inbox.mark_answered(envelope.update_id)
    doomed.inbox._feeder.cancel()  # kill -9: no ack, no goodbye; its claims just stop being renewed
    (heir,) = await workers(1)
    ((again, _),) = await claim_any([heir], timeout=20)
    assert again.update_id == 1 and again.answered and again.attempts == 2
    await heir.inbox.ack(1, DONE)
    ((after, _),) = await claim_any([heir], timeout=20)
    assert after.update_id == 2 and not after.answered


async def test_a_handled_update_leaves_no_content_behind(webhook, workers):
    (worker,) = await workers(1)
    await webhook.put([(1, 10, "secret words")])
    ((envelope, _),) = await claim_any([worker])
    await worker.inbox.ack(envelope.update_id, DONE)
    assert await webhook._redis.xlen(webhook._stream) == 0
