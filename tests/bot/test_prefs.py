"""/prefs: buttons and free text."""


async def test_prefs_buttons_change_strategy_and_explicit(bot):
    user = await bot.consented_user(60)
    shown = await user.ask("/prefs")
    assert "Default playlist: match" in shown.text
    await user.press(shown, "lift")
    calls = await user.wait_for(lambda calls: any(c.method == "editMessageText" and "lift" in c.text for c in calls))
    assert "Default playlist: lift" in calls[-1].text
    await user.press(shown, "Explicit")
    await user.wait_for(lambda calls: any("filtered out" in c.text for c in calls))
    prefs = await bot.service.preferences(60)
    assert prefs.strategy == "lift" and not prefs.explicit


async def test_free_text_prefs(bot):
    user = await bot.consented_user(61)
    reply = await user.ask("/prefs telugu, sid sriram")
    assert "Languages: telugu" in reply.text and "Sid Sriram" in reply.text
    prefs = await bot.service.preferences(61)
    assert "telugu" in prefs.languages


async def test_the_add_button_reads_the_next_message_as_prefs_not_as_mood(bot):
    user = await bot.consented_user(62)
    shown = await user.ask("/prefs")
    prompt = await user.answer(user.press(shown, "Add"))
    assert "languages, genres, artists" in prompt.text
    reply = await user.ask("korean, k-pop")
    assert "korean" in reply.text.lower()
    assert await bot.service.store.readings(62) == []


async def test_listening_service_is_chosen_with_a_button_or_in_words(bot):
    user = await bot.consented_user(63)
    shown = await user.ask("/prefs")
    assert "Listen on: Spotify" in shown.text
    await user.press(shown, "YouTube Music")
    await user.wait_for(lambda calls: any("Listen on: YouTube Music" in c.text for c in calls))
    assert (await bot.service.preferences(63)).service == "youtube"
    reply = await user.ask("/prefs punjabi, jiosaavn")
    assert "Listen on: JioSaavn" in reply.text and "punjabi" in reply.text
