"""/playlist: 5-10 tracks with links, reasons and 👍/👎; strategies; feedback is stored."""
import re

from bot import messages

TRACK_LINK = re.compile(r'<a href="https://open\.spotify\.com/track/(\w+)">')


async def test_playlist_lists_tracks_with_links_reasons_and_thumbs(bot, photos):
    user = await bot.user_feeling(50, "sad")
    reply = await user.ask("/playlist")
    tracks = TRACK_LINK.findall(reply.text)
    assert 5 <= len(tracks) <= 10
    assert '<a href="https://open.spotify.com/search/sad">More on Spotify</a>' in reply.text
    data = [d for _, d in reply.buttons]
    assert all(f"v2:fb:50:1:{t}" in data and f"v2:fb:50:0:{t}" in data for t in tracks)
    assert "v2:fix:50" in data and "v2:playlist:50:lift" in data and "v2:playlist:50:calm" in data
    assert reply.params.get("link_preview_options", {}).get("is_disabled")


async def test_thumbs_are_stored_and_ticked(bot, photos):
    user = await bot.user_feeling(51, "happy")
    reply = await user.ask("/playlist")
    first = TRACK_LINK.findall(reply.text)[0]
    await user.press(reply, "1 👍")
    calls = await user.wait_for(lambda calls: any(c.method == "editMessageReplyMarkup" for c in calls))
    edited = [c for c in calls if c.method == "editMessageReplyMarkup"][-1]
    assert ("✅1 👍", f"v2:fb:51:1:{first}") in edited.buttons
    [feedback] = await bot.service.store.feedback(51)
    assert (feedback.track_id, feedback.liked) == (first, True)


async def test_strategies_and_a_bad_one(bot, photos):
    user = await bot.user_feeling(52, "angry")
    lift = await user.ask("/playlist lift")
    assert "lifts your mood" in lift.text
    calm = await user.answer(user.press(lift, "Calm me"))
    assert "calms things down" in calm.text
    usage = await user.ask("/playlist loud")
    assert "match|lift|calm" in usage.text


async def test_the_playlist_button_after_a_correction(bot):
    user = await bot.user_feeling(53, "fear")
    corrected = [c for c in user.activity if c.method == "editMessageText"][-1]
    reply = await user.answer(user.press(corrected, "Playlist for this"))
    assert "For 😨 <b>fear</b>" in reply.text
    assert 5 <= len(TRACK_LINK.findall(reply.text)) <= 10


async def test_no_playlist_without_a_mood(bot):
    user = await bot.consented_user(54)
    assert (await user.ask("/playlist")).text == messages.NO_MOOD
