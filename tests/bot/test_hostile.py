"""What a hostile but fair tester tried (issue #26): each defect, through the real Application and a
Bot API that refuses what Telegram refuses."""
from __future__ import annotations

import asyncio
import copy
import io
import json
import logging
import socket

import pytest
from PIL import Image

from bot import messages
from bot.app import build_application, running
from bot.callbacks import Consent, Vote
from bot.logs import THIRD_PARTY, setup_logging
from bot.models import Models
from bot.settings import Settings
from playground.telegram import FakeUser
from storage import SqlInbox, Store
from tests.bot.conftest import TOKEN, Harness, settings_for

SECRET = "s3cret-Value"


def errors_in(user: FakeUser) -> list[str]:
    return [c.text for c in user.sent if c.text == messages.ERROR]


async def tap(user: FakeUser, message: dict, data: str, query_id: str) -> int:
    """A tap on a button of `message` (as the user saw it then), with callback data of our choosing."""
    query = {"id": query_id, "from": user.user, "chat_instance": str(user.id), "data": data, "message": message}
    return await user.api.push(user.token, {"callback_query": query})


def answers_to(api, query_id: str) -> list:
    return [c for c in api.calls_to("answerCallbackQuery") if c.params.get("callback_query_id") == query_id]


# -- 1. memory: a small file that decodes huge ------------------------------------------------------

async def test_three_users_sending_a_huge_16_bit_png_get_a_kind_reply(bot):
    buffer = io.BytesIO()
    Image.new("I;16", (8900, 8900)).save(buffer, "PNG")  # ~150 KB on the wire, 160 MB decoded
    users = [await bot.consented_user(100 + i) for i in range(3)]
    for user in users:
        await user.send_document(buffer.getvalue(), "image/png", "big.png")
    for user in users:
        calls = await user.wait_for(lambda calls: any("couldn't read that image" in c.text for c in calls))
        assert any("too large" in c.text for c in calls) and not errors_in(user)
        assert await bot.service.store.readings(user.id) == []


async def test_a_file_over_telegrams_download_limit_is_refused_kindly(bot):
    user = await bot.consented_user(105)
    reply = await user.answer(user.send_document(b"\xff\xd8" + bytes(21 * 10**6), "image/jpeg", "huge.jpg",
                                                 file_size=1000))  # the message lies about the size
    assert reply.text == messages.TOO_BIG.format(mb=20)


# -- 3. someone else's tap, and groups --------------------------------------------------------------

async def test_a_tap_by_someone_else_changes_nothing(bot, photos):
    alice, bob = await bot.consented_user(110), bot.user(111, "Bob")
    await alice.send_photo(photos["one"])
    confirm = await alice.ask("/forget")
    message = copy.deepcopy(bot.api.message(alice.id, confirm.result["message_id"]))
    [erase] = [data for label, data in confirm.buttons if "Yes" in label]
    await tap(bob, message, erase, "bob-1")
    intro = await bob.ask("/start")
    await tap(bob, bot.api.message(bob.id, intro.result["message_id"]), Consent(alice.id, "yes").encode(), "bob-2")
    await bob.settle()
    assert messages.NOT_YOUR_BUTTON in [c.params.get("text") for c in answers_to(bot.api, "bob-1")]
    assert messages.NOT_YOUR_BUTTON in [c.params.get("text") for c in answers_to(bot.api, "bob-2")]
    assert len(await bot.service.store.readings(alice.id)) == 1 and await bot.service.consented(alice.id)
    assert not await bot.service.consented(bob.id)
    assert not any("erased" in c.text for c in alice.activity)


async def test_in_a_group_nothing_is_read_and_commands_point_to_a_private_chat(bot, photos):
    group = {"id": -500, "type": "group", "title": "friends"}
    member = bot.user(120)
    await bot.service.set_consent(120, True)  # even someone who agreed in private
    base = {"date": 0, "chat": group, "from": member.user}
    await bot.api.push(TOKEN, {"message": {**base, "message_id": 1, "text": "I feel awful today"}})
    await bot.api.push(TOKEN, {"message": {**base, "message_id": 2, "text": "/mood",
                                           "entities": [{"type": "bot_command", "offset": 0, "length": 5}]}})
    await bot.api.wait_until(lambda: bool(bot.api.sent(-500)))
    await member.settle()
    assert [c.text for c in bot.api.sent(-500)] == [messages.PRIVATE_ONLY]
    assert await bot.service.store.readings(120) == []


# -- 4. an update python-telegram-bot can't parse ---------------------------------------------------

async def test_an_unparseable_update_is_skipped_and_the_bot_goes_on(bot, caplog):
    user = await bot.consented_user(130)
    broken = {"message_id": 9, "date": 0, "chat": {"id": 130, "type": "private"}, "from": user.user,
              "poll": {"id": "p", "question": "private words in a poll"}}  # an older server's poll format
    caplog.set_level(logging.INFO)
    await bot.api.push(TOKEN, {"message": broken})
    assert (await user.ask("/help")).text == messages.HELP
    assert "cannot be parsed (TypeError)" in caplog.text and "private words" not in caplog.text


# -- 5. the webhook refuses before reading ----------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def raw_post(port: int, headers: dict[str, str]) -> int:
    """Send only the headers of a POST (no body at all) and read the status: a server that waited for
    the announced body would never answer."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    writer.write(f"POST /hook HTTP/1.1\r\nHost: x\r\n{head}\r\n".encode())
    await writer.drain()
    status = int((await asyncio.wait_for(reader.readline(), 10)).split()[1])
    writer.close()
    return status


async def test_the_webhook_refuses_before_reading_the_body(api, models, tmp_path, caplog):
    port = free_port()
    settings = settings_for(api, tmp_path / "bot.db", webhook_url="https://bot.example/hook",
                            webhook_listen="127.0.0.1", webhook_secret=SECRET, port=port)
    huge = str(90 * 2**20)
    async with running(build_application(settings, models)):
        assert await raw_post(port, {"Content-Length": huge}) == 403
        assert await raw_post(port, {"Content-Length": huge, "X-Telegram-Bot-Api-Secret-Token": "wrong"}) == 403
        assert await raw_post(port, {"Content-Length": huge, "X-Telegram-Bot-Api-Secret-Token": SECRET}) == 413
        assert await raw_post(port, {"Transfer-Encoding": "chunked", "X-Telegram-Bot-Api-Secret-Token": SECRET}) == 411
        url = f"http://127.0.0.1:{port}/hook"
        caplog.set_level(logging.DEBUG)
        assert await api.deliver(url, b'{"not": "an update", "text": "private words"}') == 400
        assert "not an update" in caplog.text and "private words" not in caplog.text
        user = FakeUser(api, TOKEN, 140)
        status = await api.deliver(url, {"message": {"message_id": 1, "date": 0, "chat": {"id": 140, "type": "private"},
                                                     "from": user.user, "text": "/help",
                                                     "entities": [{"type": "bot_command", "offset": 0, "length": 5}]}})
        assert status == 200
        await api.wait_until(lambda: len(api.sent(140)) == 1)
        assert api.sent(140)[0].text == messages.HELP


# -- 6. a 429 on a reply ---------------------------------------------------------------------------

async def test_a_reply_refused_with_429_is_sent_once_after_retry_after(bot):
    user = await bot.consented_user(150)
    await user.settle()
    bot.api.fail("sendMessage", 429, retry_after=1)
    reply = await user.ask("/privacy")
    assert reply.text.startswith("<b>Privacy")
    await user.settle()
    assert [c.method for c in bot.api.refused] == ["sendMessage"]
    assert sum(c.text.startswith("<b>Privacy") for c in user.sent) == 1 and not errors_in(user)


# -- 7. no message text in logs, at any level ------------------------------------------------------

async def test_no_message_text_in_logs_even_at_debug(api, models, tmp_path, photos):
    settings = settings_for(api, tmp_path / "bot.db", log_level="DEBUG")
    stream = io.StringIO()
    handler = setup_logging(settings, stream)
    try:
        async with running(build_application(settings, models)) as app:
            harness = Harness(api, app)
            user = await harness.consented_user(160)
            await user.say("my xyzzy diary line")
            await user.send_photo(photos["one"])
            await api.push(TOKEN, {"message": {"message_id": 9, "date": 0, "chat": {"id": 160, "type": "private"},
                                               "from": user.user, "poll": {"id": "p", "question": "xyzzy poll"}}})
            await user.ask("/prefs xyzzy artist names")
            await user.settle()
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger().setLevel(logging.WARNING)
        for name in THIRD_PARTY:
            logging.getLogger(name).setLevel(logging.NOTSET)
    log = stream.getvalue()
    assert "cannot be parsed" in log  # the log works, at DEBUG
    assert "xyzzy" not in log and TOKEN not in log


# -- 8. ordinary actions that used to end in "Sorry, something went wrong" -------------------------

async def test_double_taps_are_harmless(bot):
    user = bot.user(170)
    intro = await user.ask("/start")
    message = copy.deepcopy(bot.api.message(user.id, intro.result["message_id"]))
    agree = Consent(user.id, "yes").encode()
    await tap(user, message, agree, "q170-a")
    await tap(user, message, agree, "q170-b")
    prefs = await user.ask("/prefs")
    shown = copy.deepcopy(bot.api.message(user.id, prefs.result["message_id"]))
    [calm] = [data for label, data in prefs.buttons if label.endswith("calm")]
    await tap(user, shown, calm, "q170-c")
    await tap(user, shown, calm, "q170-d")
    await user.settle()
    refused = [c.method for c in bot.api.refused]
    assert refused == ["editMessageText", "editMessageText"]  # "message is not modified", twice
    assert not errors_in(user)
    assert await bot.service.consented(user.id)
    assert (await bot.service.preferences(user.id)).strategy == "calm"


async def test_a_thumb_tapped_twice_is_one_vote(bot):
    user = await bot.user_feeling(171, "happy")
    reply = await user.ask("/playlist")
    [(_, up)] = [(label, data) for label, data in reply.buttons if label == "1 👍"]
    message = copy.deepcopy(bot.api.message(user.id, reply.result["message_id"]))
    await tap(user, message, up, "q171-a")
    await user.wait_for(lambda calls: any(c.method == "editMessageReplyMarkup" for c in calls))
    await tap(user, bot.api.message(user.id, reply.result["message_id"]), up, "q171-b")
    await user.settle()
    assert not errors_in(user)
    assert len(await bot.service.store.feedback(user.id)) == 1


async def test_a_button_tapped_after_downtime_still_works(bot):
    bot.api.answer_deadline = 0.0  # every callback query is already too old to answer
    user = bot.user(172)
    intro = await user.ask("/start")
    await user.press(intro, "I agree")
    await user.wait_for(lambda calls: any(c.method == "editMessageText" for c in calls))
    await user.settle()
    assert await bot.service.consented(user.id) and not errors_in(user)
    assert [c.method for c in bot.api.refused] == ["answerCallbackQuery"]


async def test_prefs_with_thousands_of_unknown_words_fits_one_message(bot):
    user = await bot.consented_user(173)
    words = " ".join(f"zzq{i}" for i in range(800))[:4000]
    reply = await user.ask(f"/prefs {words}")
    assert "I didn't recognise" in reply.text and len(reply.text) <= 4096
    assert not errors_in(user) and bot.api.refused == []


async def test_a_forged_vote_for_a_track_never_suggested_stores_nothing(bot):
    user = await bot.consented_user(174)
    status = await user.ask("/privacy")
    message = bot.api.message(user.id, status.result["message_id"])
    await tap(user, message, Vote(user.id, 1, "no-such-track").encode(), "q174-a")
    await user.settle()
    assert [c.params.get("text") for c in answers_to(bot.api, "q174-a")] == [messages.STALE_BUTTON]
    assert await bot.service.store.feedback(user.id) == []


# -- 9. smaller ------------------------------------------------------------------------------------

async def test_prefs_calm_sets_the_default_playlist(bot):
    user = await bot.consented_user(180)
    reply = await user.ask("/prefs calm")
    assert "Default playlist: calm" in reply.text
    assert (await bot.service.preferences(user.id)).strategy == "calm"


async def test_taps_over_the_flood_limit_are_answered(api, models, tmp_path):
    settings = settings_for(api, tmp_path / "bot.db", flood_burst=2, flood_per_second=0.001)
    async with running(build_application(settings, models)):
        user = FakeUser(api, TOKEN, 190)
        message = {"message_id": 1, "date": 0, "chat": {"id": 190, "type": "private"}, "text": "old"}
        ids = [f"q190-{i}" for i in range(6)]
        for query_id in ids:
            await tap(user, message, "v2:playlist:190:", query_id)
        await api.wait_until(lambda: all(answers_to(api, query_id) for query_id in ids))
        assert [answers_to(api, q)[0].params.get("text") for q in ids[2:]] == [messages.SLOW_DOWN] * 4


# -- 2. the durable inbox, in process (the kill -9 test is test_crash.py) ---------------------------

async def help_left_in_inbox(settings: Settings, models: Models, user_id: int) -> tuple[Store, SqlInbox]:
    """A bot's database with a /help from `user_id` in the inbox, as update 0 (before any the fake numbers)."""
    async with running(build_application(settings, models)):  # creates the database
        pass
    store = await Store.open(settings.database_url)
    inbox = SqlInbox(store)
    update = {"update_id": 0, "message": {"message_id": 1, "date": 0, "chat": {"id": user_id, "type": "private"},
                                          "from": {"id": user_id, "is_bot": False, "first_name": "R"}, "text": "/help",
                                          "entities": [{"type": "bot_command", "offset": 0, "length": 5}]}}
    await inbox.put([(0, user_id, json.dumps(update))])
    return store, inbox


@pytest.mark.parametrize("answered", [False, True])
async def test_updates_left_in_the_inbox_are_handled_on_start_and_never_answered_twice(api, models, tmp_path,
                                                                                         answered):
    settings = settings_for(api, tmp_path / "bot.db")
    store, inbox = await help_left_in_inbox(settings, models, 195)
    await inbox.claim(1)  # the process that claimed it died...
    if answered:
        await inbox.mark_answered(0)  # ...after its reply went out
    await store.close()
    async with running(build_application(settings, models)) as app:
        user = Harness(api, app).user(195)
        await user.say("/privacy")  # one user's updates run in order: the replayed one first
        await user.wait_for(lambda calls: any(c.text.startswith("<b>Privacy") for c in calls))
        assert [c.text for c in user.sent][:-1] == ([] if answered else [messages.HELP])


async def test_an_update_that_keeps_failing_is_given_up_after_three_tries(api, models, tmp_path):
    """Say it crashed the process three times: the fourth start skips it instead of crashing again."""
    settings = settings_for(api, tmp_path / "bot.db")
    store, inbox = await help_left_in_inbox(settings, models, 197)
    for _ in range(3):  # claimed, then the process died, three times over
        await inbox.claim(1)
        await inbox.requeue()
    await store.close()
    async with running(build_application(settings, models)) as app:
        user = Harness(api, app).user(197)
        await user.say("/privacy")
        await user.wait_for(lambda calls: any(c.text.startswith("<b>Privacy") for c in calls))
        assert [c.text for c in user.sent][:-1] == []
