"""Messages add readings quietly, in order; the bot speaks only when asked or when the mood clearly moved."""
import pytest

from bot import messages


async def test_a_message_adds_a_reading_but_never_keeps_the_text(bot):
    user = await bot.consented_user(30)
    text = "my cat knocked my coffee over again, ugh"
    await user.say(text)
    await user.settle()
    [reading] = await bot.service.store.readings(30)
    assert reading.source == "text"
    assert "coffee" not in repr(reading)


async def test_small_talk_gets_no_lecture(bot):
    user = await bot.consented_user(31)
    lines = ["ok", "sure", "see you at 5", "the train is late", "fine", "lol"]
    for line in lines:
        await user.say(line)
    await user.settle()
    assert len(await bot.service.store.readings(31)) == len(lines)
    chatter = [c for c in user.sent if c.text.startswith("Sounds like")]
    assert len(chatter) <= 1  # at most one "sounds like you're feeling ..." when the mood first shows
    assert len(user.sent) <= 3 + len(chatter)  # /help, the intro, the closing /help


async def test_asking_about_the_mood_gets_an_answer(bot):
    user = await bot.consented_user(32)
    reply = await user.ask("I'm so happy, I got the job!! how am I feeling?")
    assert reply.method == "sendPhoto" and "What drove it" in reply.text
    assert "💬 words" in reply.text


async def test_asking_for_music_gets_a_playlist(bot):
    user = await bot.consented_user(33)
    reply = await user.ask("this is the best day ever, play me something")
    assert "open.spotify.com/track/" in reply.text


async def test_a_burst_is_handled_in_order(bot):
    user = await bot.consented_user(34)
    burst = ["/help", "/privacy", "/help", "/prefs", "/privacy", "/help"] * 2
    before = len(user.sent)
    for line in burst:
        await user.say(line)
    replies = (await user.wait_for_messages(before + len(burst)))[before:]
    expected = {"/help": "What I understand", "/privacy": "Privacy, in plain words", "/prefs": "music preferences"}
    assert [next(c for c, w in expected.items() if w in r.text) for r in replies] == burst


NLP_BAD_INPUTS = {
    "emoji only": "😂😂😂",
    "url only": "https://example.com/some/path?x=1",
    "mention only": "@someone",
    "punctuation": "...!!!???",
    "whitespace": "   \n\t  ",
    "very long": "I am sad. " * 409,
    "not english": "Сегодня я очень устал и мне грустно",
    "telugu": "నేను చాలా సంతోషంగా ఉన్నాను",
    "mixed scripts": "I'm so 疲れた today 😩",
    "zero width": "hap\u200bpy\u200d day",
    "right to left": "\u202eyppah m'I",
    "control chars": "hello\x00\x07world",
    "repeated letters": "nooooooooooooooooooooooooo",
    "markup": "<b>bold</b> & <i>not</i> closed <",
}


@pytest.mark.parametrize("kind", NLP_BAD_INPUTS)
async def test_hard_text_never_breaks_the_bot(bot, kind):
    user = await bot.consented_user(35)
    await user.say(NLP_BAD_INPUTS[kind])
    reply = await user.ask("/help")  # the next command still works, in order
    assert "What I understand" in reply.text
    assert all(messages.ERROR not in c.text for c in user.sent)
