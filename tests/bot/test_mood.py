"""/mood explains itself with a chart, /history draws the days, "not my mood" corrects."""
from bot import charts, messages

PNG = b"\x89PNG\r\n\x1a\n"


async def test_mood_without_evidence_asks_and_offers_feelings(bot):
    user = await bot.consented_user(40)
    reply = await user.ask("/mood")
    assert reply.text == messages.NO_MOOD
    assert ("😢 sad", "v2:feel:40:sad") in reply.buttons


async def test_mood_says_what_drove_it_with_a_chart(bot, photos):
    user = await bot.user_feeling(41, "sad")
    await user.send_photo(photos["one"])
    await user.say("I am absolutely furious, they cancelled my flight again")
    await user.settle()
    reply = await user.ask("/mood")
    assert reply.method == "sendPhoto" and reply.files["photo"].startswith(PNG)
    assert reply.text.startswith("I think you feel ") and "What drove it" in reply.text
    assert "📷 selfie, just now" in reply.text and "💬 words, just now" in reply.text
    assert "✋ you told me, just now" in reply.text
    assert ("✋ Not my mood", "v2:fix:41") in reply.buttons


async def test_neutral_words_next_to_a_smiling_selfie_are_left_out_and_said_so(bot, photos):
    user = await bot.consented_user(44)
    await user.send_photo(photos["one"])  # the astronaut smiles
    await user.say("The meeting is at 3pm in room 204.")
    await user.settle()
    reply = await user.ask("/mood")
    assert reply.text.startswith("I think you feel 😊 <b>happy</b>")
    assert "Your words sound neutral, so I went by your face." in reply.text
    assert "💬 words, just now: 😐 <b>neutral</b>, left out" in reply.text


async def test_not_my_mood_stores_a_correction_that_wins(bot, photos):
    user = await bot.user_feeling(42, "happy")
    shown = await user.ask("/mood")
    picker = await user.answer(user.press(shown, "Not my mood"))
    await user.press(picker, "surprise")
    calls = await user.wait_for(lambda calls: any("surprise" in c.text for c in calls if c.method == "editMessageText"))
    assert "Got it: you feel 😮 <b>surprise</b>" in calls[-1].text
    assert (await bot.service.store.readings(42))[-1].source == "correction"
    reply = await user.ask("/mood")
    assert reply.text.startswith("I think you feel 😮 <b>surprise</b>")


async def test_history_is_a_chart(bot, photos):
    user = await bot.consented_user(43)
    assert (await user.ask("/history")).text == messages.NO_MOOD
    await user.send_photo(photos["one"])
    await user.say("what a lovely afternoon")
    await user.settle()
    picker = await user.ask("/mood")
    if picker.text == messages.NO_MOOD:  # too little evidence yet: say how it is
        await user.press(picker, "happy")
        await user.wait_for(lambda calls: any("Got it" in c.text for c in calls))
    reply = await user.ask("/history")
    assert reply.method == "sendPhoto" and reply.files["photo"].startswith(PNG)
    assert "last 7 days" in reply.text


async def test_history_asked_again_with_nothing_new_is_the_chart_already_drawn(bot, monkeypatch):
    user = await bot.user_feeling(45, "happy")
    drawn = []
    draw = charts.history_chart
    monkeypatch.setattr(charts, "history_chart", lambda points: drawn.append(points) or draw(points))
    first, again = await user.ask("/history"), await user.ask("/history")
    assert first.files["photo"].startswith(PNG) and again.files["photo"] == first.files["photo"]
    assert len(drawn) == 1
    await user.say("I am so sad and tired of everything")  # a new reading: the chart is drawn again
    await user.settle()
    await user.ask("/history")
    assert len(drawn) == 2
