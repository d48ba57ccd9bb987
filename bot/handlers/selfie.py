"""Selfies, as photos, image files, video notes or short videos: the largest face -> a reading -> the mood."""
from __future__ import annotations

from html import escape

from telegram import Document, PhotoSize, Update, Video, VideoNote
from telegram.constants import FileSizeLimit
from telegram.error import BadRequest
from telegram.ext import MessageHandler, filters

from bot import messages
from bot.context import Context
from bot.format import faces_reply
from bot.handlers.common import chat_message, playlist_button, sender
from vision import ImageError, VideoError


async def selfie(update: Update, context: Context) -> None:
    message = chat_message(update)
    attachment = message.photo[-1] if message.photo else message.document  # the largest photo size
    assert attachment is not None, "the handler's filter lets through photos and image documents only"
    await read(update, context, attachment, video=False)


async def video_selfie(update: Update, context: Context) -> None:
    message = chat_message(update)
    attachment = message.video_note or message.video or message.document
    assert attachment is not None, "the handler's filter lets through video notes, videos and video documents only"
    await read(update, context, attachment, video=True)


async def read(update: Update, context: Context, attachment: PhotoSize | Document | Video | VideoNote,
               video: bool) -> None:
    message = chat_message(update)
    too_big = messages.TOO_BIG.format(mb=FileSizeLimit.FILESIZE_DOWNLOAD // 1_000_000)
    if attachment.file_size and attachment.file_size > FileSizeLimit.FILESIZE_DOWNLOAD:
        await message.reply_text(too_big)
        return
    try:
        file = await attachment.get_file()
    except BadRequest as error:  # the size in the message may be missing or wrong; Telegram's refusal is not
        if "file is too big" not in str(error).lower():
            raise
        await message.reply_text(too_big)
        return
    # Memory only: the bytes are never written to disk or logged, and dropped after reading.
    data = bytes(await file.download_as_bytearray())
    try:
        result = await context.bot_data.service.read_selfie(sender(update), data, video=video)
    except (ImageError, VideoError) as error:
        unreadable = messages.UNREADABLE_VIDEO if video else messages.UNREADABLE_IMAGE
        await message.reply_text(unreadable.format(reason=escape(str(error))))
        return
    if result.mood is None:
        await message.reply_text(messages.NO_FACE_VIDEO if video else messages.NO_FACE)
        return
    await message.reply_text(faces_reply(result.faces, result.mood, video=video),
                             reply_markup=playlist_button(sender(update)))


HANDLERS = [MessageHandler(filters.PHOTO | filters.Document.IMAGE, selfie),
            MessageHandler(filters.VIDEO_NOTE | filters.VIDEO | filters.Document.VIDEO, video_selfie)]
