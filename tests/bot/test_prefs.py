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


async def test_only_a_message_the_bot_waits_for_takes_the_awaited_state(bot, monkeypatch):
    """The awaited answer lives in the database (any copy may get it), but a message reads it only when
    the row the consent gate read for it says something is awaited: most messages answer nothing."""
    user = await bot.consented_user(64)
    store = bot.service.store
    taken: list[int] = []
    take_awaiting = store.take_awaiting

    async def counted(user_id: int) -> str | None:
        taken.append(user_id)
        return await take_awaiting(user_id)

    monkeypatch.setattr(store, "take_awaiting", counted)
    await user.say("the train is late again")
    await user.settle()
    assert taken == [] and len(await store.readings(64)) == 1
    shown = await user.ask("/prefs")
    await user.answer(user.press(shown, "Add"))
    reply = await user.ask("korean, k-pop")
    assert "korean" in reply.text.lower() and taken == [64]
    assert (await store.get_user(64)).awaiting is None
