"""/start explains plainly and asks; before consent nothing is analysed or stored."""
from bot import messages


async def test_start_says_what_it_does_and_asks_for_consent(bot):
    reply = await bot.user(1).ask("/start")
    assert "emotion recognition" in reply.text
    assert "30 days" in reply.text and "/forget" in reply.text
    assert [label for label, _ in reply.buttons] == ["✅ I agree", "No thanks"]


async def test_before_consent_a_selfie_is_not_downloaded_and_nothing_is_stored(bot, photos):
    user = bot.user(2)
    await user.send_photo(photos["one"])
    await user.say("I feel great today")
    replies = await user.wait_for_messages(2)
    assert all(messages.CONSENT_NEEDED in r.text and r.buttons for r in replies)
    assert bot.api.calls_to("getFile") == []
    assert await bot.service.store.get_user(2) is None


async def test_buttons_before_consent_are_refused(bot):
    user = bot.user(3)
    await user.ask("/start")
    await bot.api.push(user.token, {"callback_query": {
        "id": "q3-x", "from": user.user, "chat_instance": "3", "data": "v2:playlist:3:",
        "message": {"message_id": 1, "date": 0, "chat": {"id": 3, "type": "private"}, "text": "old"}}})
    await user.wait_for(lambda calls: any(c.method == "answerCallbackQuery" for c in calls))
    assert "agree" in bot.api.calls_to("answerCallbackQuery")[0].params["text"]
    assert await bot.service.store.get_user(3) is None


async def test_agreeing_opens_the_bot(bot, photos):
    user = await bot.consented_user(4)
    assert await bot.service.consented(4)
    reply = await user.ask("/mood")
    assert messages.CONSENT_NEEDED not in reply.text


async def test_declining_stores_nothing(bot):
    user = bot.user(5)
    intro = await user.ask("/start")
    await user.press(intro, "No thanks")
    calls = await user.wait_for(lambda calls: any(c.method == "editMessageText" for c in calls))
    assert messages.DECLINED in calls[-1].text
    assert await bot.service.store.get_user(5) is None
