"""/privacy, /help, /forget."""
from bot import messages


async def test_privacy_and_help_work_even_before_consent(bot):
    user = bot.user(70)
    assert "Privacy, in plain words" in (await user.ask("/privacy")).text
    assert "What I understand" in (await user.ask("/help")).text


async def test_forget_erases_everything_after_confirming(bot, photos):
    user = await bot.consented_user(71)
    await user.send_photo(photos["one"])
    await user.ask("/prefs telugu")
    confirm = await user.ask("/forget")
    assert "Sure?" in confirm.text
    await user.press(confirm, "Yes, erase")
    calls = await user.wait_for(lambda calls: any("I erased everything" in c.text for c in calls))
    assert "records" in calls[-1].text
    assert await bot.service.store.get_user(71) is None
    assert await bot.service.store.readings(71) == []
    after = await user.ask("/mood")
    assert messages.CONSENT_NEEDED in after.text  # it knows nothing, consent included


async def test_forget_can_be_cancelled(bot, photos):
    user = await bot.consented_user(72)
    confirm = await user.ask("/forget")
    await user.press(confirm, "Keep")
    await user.wait_for(lambda calls: any(c.text == messages.FORGET_KEPT for c in calls))
    assert await bot.service.consented(72)
