"""Limits shared by every copy of the bot (bot/shared.py, bot/budget.py): in memory, and in Redis when
TEST_REDIS_URL is set (.ci/run starts one) — there two clients stand for two copies of the bot."""
from __future__ import annotations

import asyncio
import os
import time
import uuid

import pytest
from telegram.error import RetryAfter

from bot.budget import SendBudget
from bot.limits import FloodLimit
from bot.shared import LocalLimits, NamedPause, RedisLimits

REDIS_URL = os.environ.get("TEST_REDIS_URL")


@pytest.fixture(params=["memory", "redis"])
async def copies(request):
    """Two copies' views of the limits: one LocalLimits seen twice, or two Redis clients."""
    if request.param == "memory":
        limits = LocalLimits()
        yield limits, limits
        return
    if not REDIS_URL:
        pytest.skip("TEST_REDIS_URL not set: no Redis server (.ci/run starts one)")
    first, second = RedisLimits(REDIS_URL), RedisLimits(REDIS_URL)
    yield first, second
    await first.close()
    await second.close()


@pytest.fixture
def name():
    return f"test-{uuid.uuid4().hex}"


async def test_a_burst_then_refusals_counted_across_copies(copies, name):
    one, other = copies
    assert (await one.take(name, 0.01, 2)).wait == 0
    assert (await other.take(name, 0.01, 2)).wait == 0
    refused = await one.take(name, 0.01, 2)
    assert refused.wait > 90  # the next one is 100 s away at 0.01/s
    assert not refused.first_refusal  # only asked for with warn_once


async def test_flood_limit_warns_once_whichever_copy_refuses(copies):
    one, other = copies
    user = int(uuid.uuid4().int % 10**9)
    first, second = FloodLimit(one, burst=1, rate=0.001), FloodLimit(other, burst=1, rate=0.001)
    assert (await first.check(user)).wait == 0
    verdicts = [await second.check(user), await first.check(user), await second.check(user)]
    assert [v.wait > 0 for v in verdicts] == [True, True, True]
    assert [v.first_refusal for v in verdicts] == [True, False, False]
    assert (await first.check(user + 1)).wait == 0  # other users are unaffected


async def test_the_send_budget_spaces_every_copys_sends(copies, name, monkeypatch):
    monkeypatch.setattr("bot.budget.BUDGET", name)
    rate = 50.0
    budgets = [SendBudget(limits, rate) for limits in copies]
    sent: list[float] = []

    async def send() -> bool:
        sent.append(time.monotonic())
        return True

    await asyncio.gather(*(budgets[i % 2].process_request(send, (), {}, "sendMessage", {"chat_id": 1}, None)
                           for i in range(12)))
    gaps = [b - a for a, b in zip(sorted(sent), sorted(sent)[1:])]
    assert len(sent) == 12 and min(gaps) >= 0.8 / rate  # evenly spaced, never two at once


async def test_a_429_pauses_every_copy(copies, name, monkeypatch):
    monkeypatch.setattr("bot.budget.BUDGET", name)
    one, other = (SendBudget(limits, 1000.0) for limits in copies)
    calls: list[tuple[str, float]] = []

    async def refused_once() -> bool:
        calls.append(("first", time.monotonic()))
        if len(calls) == 1:
            raise RetryAfter(1)
        return True

    async def later() -> bool:
        calls.append(("other", time.monotonic()))
        return True

    await one.process_request(refused_once, (), {}, "sendMessage", {"chat_id": 1}, None)
    paused_at = calls[0][1]
    await other.process_request(later, (), {}, "sendMessage", {"chat_id": 2}, None)
    assert [who for who, _ in calls] == ["first", "first", "other"]
    assert calls[1][1] - paused_at >= 1.0 and calls[2][1] - paused_at >= 1.0  # the other copy waited too


async def test_requests_to_no_chat_do_not_spend_the_budget(copies, name, monkeypatch):
    monkeypatch.setattr("bot.budget.BUDGET", name)
    budget = SendBudget(copies[0], 0.001)  # one send per 1000 s

    async def ok() -> bool:
        return True

    await budget.process_request(ok, (), {}, "sendMessage", {"chat_id": 1}, None)
    for _ in range(3):  # would wait 1000 s each if they counted
        assert await budget.process_request(ok, (), {}, "answerCallbackQuery", {"callback_query_id": "q"}, None)


async def test_a_named_pause_is_seen_by_every_copy(copies, name):
    one, other = (NamedPause(limits, name) for limits in copies)
    assert await other.paused_for() == 0
    await one.pause(30)
    assert 29 < await other.paused_for() <= 30


async def test_a_search_result_cached_by_one_copy_is_read_by_the_other(copies, name):
    one, other = (limits.shared_cache(name) for limits in copies)
    if one is None:
        assert isinstance(copies[0], LocalLimits), "only one process: its own cache is all there is"
        return
    assert await other.get("happy telugu") is None
    await one.put("happy telugu", b"results", ttl=30)
    assert await other.get("happy telugu") == b"results"
