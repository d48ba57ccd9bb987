"""The words the bot says that don't depend on data (HTML; Defaults(parse_mode=HTML))."""
from __future__ import annotations

START = (
    "Hi! I'm <b>moodtune</b>. I guess how you feel and answer with music.\n\n"
    "<b>How:</b> I use <b>emotion recognition</b>, software that guesses feelings. From a selfie I "
    "read your facial expression, and from what you write I read the emotion in your words. "
    "Both are guesses and can be wrong; you can always tell me \"not my mood\".\n\n"
    "<b>What I keep:</b> the emotion scores of each reading (not your photos, not your messages), "
    "your music preferences and your 👍/👎, for {days} days at most. /forget erases all of it "
    "at any time; /privacy has the details.\n\n"
    "Before you agree I don't look at anything you send."
)
CONSENT_NEEDED = "Before I read selfies or messages I need your OK. Here is what I do:"
CONSENTED = (
    "Thanks! Send me a <b>selfie</b> or just tell me how your day is going. "
    "/mood shows what I think, /playlist picks music for it. /help lists everything."
)
DECLINED = "No problem, I won't read anything. Send /start if you change your mind."

PRIVACY = (
    "<b>Privacy, in plain words</b>\n"
    "• <b>Selfies</b> are read in memory and dropped at once. They are never saved or logged.\n"
    "• <b>Messages</b>: I keep only the emotion scores of what you write, never the text.\n"
    "• <b>Stored</b>: those scores with their time, your preferences, the tracks I suggested "
    "and your 👍/👎.\n"
    "• <b>How long</b>: mood readings are deleted after {days} days.\n"
    "• <b>Shared</b>: with no one. Music links open Spotify, which has its own policy.\n"
    "• <b>Erase</b>: /forget deletes everything about you, right away.\n"
    "• Emotion recognition is a guess, not a diagnosis. Please don't use it for decisions about people."
)
HELP = (
    "<b>What I understand</b>\n"
    "📷 a selfie (photo, image file, video note or short video): I read your expression\n"
    "💬 messages: I quietly note how they feel\n"
    "/mood: what I think you feel, and why\n"
    "/playlist [match|lift|calm]: music for it (match your mood, lift it, or calm it)\n"
    "/prefs: languages, genres, artists, explicit lyrics, where you listen\n"
    "/history: your mood over the last days\n"
    "/privacy: what I keep  ·  /forget: erase everything"
)
UNSUPPORTED = (
    "That's nice, but I only understand <b>selfies</b> and <b>text</b>. "
    "Send a photo of your face or tell me how you feel. /help"
)
NO_FACE = (
    "I couldn't find a face in that picture. A selfie works best: face the camera, "
    "in good light, not too far away."
)
NO_FACE_VIDEO = (
    "I couldn't find a face in that video. Hold the camera at arm's length, facing you, in good light."
)
TOO_BIG = "That file is too big for me (over {mb} MB). A normal selfie is plenty."
NO_MOOD = (
    "I don't know how you feel yet. Send a selfie or tell me about your day, "
    "or pick how you feel below."
)
SLOW_DOWN = "That's a lot at once! I'll catch up in a moment; messages beyond this are skipped."
ERROR = "Sorry, something went wrong on my side. Please try again in a moment."
FORGET_CONFIRM = "This erases <b>everything</b> I have about you: mood readings, preferences, feedback. Sure?"
FORGOTTEN = "Done. I erased everything about you ({rows} records). Send /start to begin again."
FORGET_KEPT = "OK, nothing was erased."
PREFS_ASK = (
    "Tell me what you like in a message, e.g. <i>telugu, lo-fi, sid sriram, jiosaavn</i> "
    "(languages, genres, artists, and where you listen: Spotify, YouTube Music or JioSaavn)."
)
UNREADABLE_IMAGE = "I couldn't read that image: {reason}. A normal photo works best."
UNREADABLE_VIDEO = "I couldn't read that video: {reason}. A short selfie video works best."
UNKNOWN_COMMAND = "I don't know that command. /help lists what I can do."
STALE_BUTTON = "That button is no longer active."
AGREE_FIRST = "Please send /start and agree first."
HOW_DO_YOU_FEEL = "How do you feel, then?"
CORRECTED = "Got it: you feel {feeling}. I'll go with that."
HISTORY = "Your mood over the last {days} days."
MOOD_CHANGED = "Sounds like you're feeling {feeling} now."
VOTED_UP = "Noted, thanks!"
VOTED_DOWN = "Noted, fewer like that."
NOT_YOUR_BUTTON = "This button isn't for you."
PRIVATE_ONLY = (
    "I only work in a private chat: reading moods in a group would read people who never agreed. "
    "Message me directly."
)
