"""Many copies behind one bot: a webhook process and workers as separate `python bot.py` processes,
on PostgreSQL and Redis (TEST_POSTGRES_URL, TEST_REDIS_URL; .ci/run starts both), the fake Bot API
posting updates to the webhook. Users interleave selfies, texts, buttons and /prefs answers across
the copies; a worker is killed with -9 in a burst; the copies start together on an empty database."""
from __future__ import annotations

import asyncio
import os

import pytest

from bot import messages
from playground.cluster import Cluster
from playground.databases import throwaway_database
from playground.telegram import FakeUser
from storage import Store
from tests.bot.conftest import TOKEN

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL")
REDIS_URL = os.environ.get("TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(not (POSTGRES_URL and REDIS_URL),
                                reason="needs TEST_POSTGRES_URL and TEST_REDIS_URL (.ci/run starts both)")
USERS = (401, 402, 403)
BURST = 6  # selfies and mood questions per user, sent at once, while a worker is killed


@pytest.fixture
async def database():
    async with throwaway_database(POSTGRES_URL, "moodtune_scale") as url:
        yield url


@pytest.fixture
async def redis_url():
    """A Redis database of its own, emptied (the inbox's keys have fixed names)."""
    import redis.asyncio

    url = REDIS_URL.rsplit("/", 1)[0] + "/9"
    client = redis.asyncio.from_url(url)
    await client.flushdb()
    await client.aclose()
    return url


async def replies_to(user: FakeUser, action, count: int = 1, timeout: float = 120.0) -> list:
    """Do `action`; the bot's next `count` messages in the user's chat."""
    before = len(user.sent)
    await action
    return (await user.wait_for_messages(before + count, timeout))[before:before + count]


@pytest.mark.timeout(600)
async def test_a_webhook_and_workers_answer_everything_once_in_order(api, photos, tmp_path, database, redis_url):
    with open(tmp_path / "cluster.log", "wb") as log:  # noqa: ASYNC230 (a child process writes it)
        cluster = Cluster(api, TOKEN, database, redis_url, log)
        try:
            assert await cluster.step("set-webhook") == 0  # the deploy step, once
            assert api.webhook["url"] == cluster.hook
            await cluster.start_webhook()
            cluster.start_workers(3)  # together, on an empty database: they take turns migrating
            cluster.route_users_through_webhook()

            store = await Store.open(database)  # (waits its turn too, if the workers are migrating)
            for user_id in USERS:
                await store.set_consent(user_id, True)
            await store.close()
            users = [FakeUser(api, TOKEN, user_id) for user_id in USERS]

            async def session(user: FakeUser) -> None:
                """A selfie, then /prefs with the Add button answered by typing."""
                await replies_to(user, user.send_photo(photos["one"]), timeout=300)
                (shown,) = await replies_to(user, user.say("/prefs"))
                (prompt,) = await replies_to(user, user.press(shown, "Add"))
                assert "languages, genres, artists" in prompt.text
                (saved,) = await replies_to(user, user.say("korean, k-pop"))
                assert "korean" in saved.text.lower()  # the answer reached /prefs, whichever copy had the button

            await asyncio.gather(*(session(user) for user in users))
            assert all(cluster.running())

            # A burst from every user; one worker is killed with -9 in the middle of it.
            for i in range(BURST):
                for user in users:
                    await (user.send_photo(photos["one"]) if i % 2 == 0 else user.say("how am I feeling?"))
            await api.wait_until(lambda: sum(len(u.sent) for u in users) >= 4 * len(users) + 2, timeout=120)
            # Killed as a worker fetches a selfie, i.e. in the middle of handling one. Not right after a
            # reply lands: that is the one moment a reply can go out twice (sent, killed before its journal
            # line - one Redis write; bot/dispatcher.py), and a kill timed by the replies hit it 1 run in 3.
            fetched = len(api.calls_to("getFile"))
            await api.wait_until(lambda: len(api.calls_to("getFile")) > fetched, timeout=120)
            cluster.kill_worker(0)
            for user in users:
                await user.wait_for_messages(4 + BURST, timeout=180)
                await user.settle()  # a /help after everything: answered once all before it are

            assert api.calls_to("setWebhook") == api.calls_to("setWebhook")[:1]  # no copy set it again
            for user in users:
                replies = [c.text for c in user.sent]
                assert len(replies) == 4 + BURST + 1  # exactly once each: nothing lost, nothing twice
                assert replies[-1] == messages.HELP
            store = await Store.open(database)
            for user_id in USERS:
                assert "korean" in (await store.get_user(user_id)).prefs.get("languages", [])
            await store.close()
        finally:
            cluster.stop()
