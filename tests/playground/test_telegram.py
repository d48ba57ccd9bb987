"""The Bot API emulator, through python-telegram-bot's own Bot: what Telegram accepts, refuses and records."""
from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, EndPointNotFound

from bot import messages
from playground.samples import sample_photos
from playground.telegram import CAPTION_LIMIT, TEXT_LIMIT, EntityError, FakeBotAPI, FakeUser, html_length

TOKEN = "777:emulator-test"
CHAT = 31


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as api:
        yield api


@pytest.fixture
async def bot(api: FakeBotAPI) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=f"{api.root}/bot", base_file_url=f"{api.root}/file/bot") as bot:
        yield bot


def keyboard(*labels: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=label) for label in labels]])


@pytest.mark.parametrize("text", [messages.START, messages.PRIVACY, messages.HELP, messages.PREFS_ASK,
                                  '<a href="https://x.org/?a=1&amp;b=2">x</a> &lt;3 &#128512; <tg-spoiler>s</tg-spoiler>'])
def test_the_bots_html_parses_like_telegram(text: str) -> None:
    assert 0 < html_length(text) < len(text) + 1


@pytest.mark.parametrize(("text", "problem"), [
    ("<div>block</div>", 'Unsupported start tag "div"'),
    ("<b>open", "Can't find end tag"),
    ("<b><i>crossed</b></i>", 'Unmatched end tag "b"'),
    ("caf&eacute;", 'Unsupported HTML entity "&eacute;"'),
    ('<span class="big">x</span>', 'Unsupported start tag "span"'),
])
def test_html_telegram_refuses(text: str, problem: str) -> None:
    with pytest.raises(EntityError, match=problem):
        html_length(text)


def test_length_counts_text_not_tags() -> None:
    assert html_length("<b>" + "a" * 10 + "</b>") == 10
    assert html_length("&lt;😀") == 3  # an entity is one character; an emoji two UTF-16 units


async def test_a_chat_keeps_both_sides_with_one_sequence_of_ids(api: FakeBotAPI, bot: Bot) -> None:
    user = FakeUser(api, TOKEN, CHAT)
    await user.say("/start")
    [update] = await bot.get_updates()
    reply = await update.message.reply_text("<b>hi</b>", parse_mode=ParseMode.HTML)
    await user.send_photo(sample_photos()["one"])
    assert [m["message_id"] for m in api.history(CHAT)] == [1, 2, 3]
    assert reply.message_id == 2
    assert [m.get("text") for m in api.history(CHAT)] == ["/start", "<b>hi</b>", None]  # HTML kept as sent


async def test_events_tell_a_client_what_happened(api: FakeBotAPI, bot: Bot) -> None:
    user = FakeUser(api, TOKEN, CHAT)
    await user.say("hello")
    assert [e["type"] for e in api.events(CHAT)] == ["message"]
    await bot.get_updates()
    sent = await bot.send_message(CHAT, "pick one", reply_markup=keyboard("a", "b"))
    query_id = await user.tap(sent.message_id, "a")
    [tapped] = await bot.get_updates(offset=2)  # past the message
    await tapped.callback_query.answer("Noted!")
    await bot.edit_message_text("picked a", CHAT, sent.message_id)
    await bot.delete_message(CHAT, sent.message_id)
    events = api.events(CHAT, after=1)
    assert events[0] == {"type": "read", "message_id": 1}
    assert events[1]["type"] == "message" and events[1]["message"]["reply_markup"]["inline_keyboard"][0][0]["text"] == "a"
    assert events[2] == {"type": "answer", "query_id": query_id, "text": "Noted!", "show_alert": False}
    edited = events[3]["message"]
    assert edited["text"] == "picked a" and "edit_date" in edited and "reply_markup" not in edited
    assert events[4] == {"type": "deleted", "message_id": sent.message_id}
    assert api.events(CHAT, after=len(api.events(CHAT))) == []
    assert api.events(CHAT + 1) == []


async def test_refuses_what_telegram_refuses(api: FakeBotAPI, bot: Bot) -> None:
    user = FakeUser(api, TOKEN, CHAT)
    await user.say("hi")
    with pytest.raises(BadRequest, match="(?i)can't parse entities"):
        await bot.send_message(CHAT, "<p>paragraph</p>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="1-4096"):
        await bot.send_message(CHAT, "x" * (TEXT_LIMIT + 1))
    with pytest.raises(BadRequest, match="1-1024"):
        await bot.send_photo(CHAT, sample_photos()["none"], caption="x" * (CAPTION_LIMIT + 1))
    with pytest.raises(BadRequest, match="(?i)image_process_failed"):
        await bot.send_photo(CHAT, b"not a picture")
    sent = await bot.send_message(CHAT, "same", reply_markup=keyboard("a"))
    with pytest.raises(BadRequest, match="(?i)not modified"):
        await bot.edit_message_text("same", CHAT, sent.message_id, reply_markup=keyboard("a"))
    with pytest.raises(BadRequest, match="(?i)can't be edited"):
        await bot.edit_message_text("yours now", CHAT, 1)  # the user's message
    with pytest.raises(BadRequest, match="(?i)not found"):
        await bot.edit_message_text("gone", CHAT, 99)
    with pytest.raises(BadRequest, match="(?i)query id is invalid"):
        await bot.answer_callback_query("q-never-sent")
    assert len(api.rejected) == 8
    assert [c.method for c in api.sent(CHAT)] == ["sendMessage"]  # refused calls were never shown


async def test_sent_photos_are_stored_with_their_size(api: FakeBotAPI, bot: Bot) -> None:
    await FakeUser(api, TOKEN, CHAT).say("hi")
    sent = await bot.send_photo(CHAT, sample_photos()["none"], caption="coffee")
    photo = sent.photo[-1]
    assert (photo.width, photo.height) == (600, 400)  # scikit-image's coffee
    assert bytes(await (await photo.get_file()).download_as_bytearray()) == sample_photos()["none"]
    again = await bot.send_photo(CHAT, photo.file_id)  # by file_id, as Telegram allows
    assert again.photo[-1].width == 600


async def test_forget_chat_drops_its_messages_events_and_pictures(api: FakeBotAPI, bot: Bot) -> None:
    user, other = FakeUser(api, TOKEN, CHAT), FakeUser(api, TOKEN, CHAT + 1)
    await user.send_photo(sample_photos()["one"])
    await other.send_photo(sample_photos()["none"])
    [mine] = api.history(CHAT)[0]["photo"]
    api.forget_chat(CHAT)
    assert api.history(CHAT) == [] and api.events(CHAT) == []
    assert mine["file_id"] not in api.files
    assert len(api.history(CHAT + 1)) == 1 and len(api.files) == 1


async def test_the_bots_menu_is_kept(api: FakeBotAPI, bot: Bot) -> None:
    await bot.set_my_commands([("mood", "How I feel")])
    assert api.commands == [{"command": "mood", "description": "How I feel"}]


async def test_unknown_methods_are_404(api: FakeBotAPI, bot: Bot) -> None:
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendHologram", api_kwargs={"chat_id": CHAT})
