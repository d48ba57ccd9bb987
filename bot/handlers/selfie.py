"""Selfies, as photos or as image files: expression of the largest face -> a reading -> the mood."""
from __future__ import annotations

from html import escape

from telegram import Update
from telegram.constants import FileSizeLimit
from telegram.error import BadRequest
from telegram.ext import MessageHandler, filters

from bot import messages
from bot.context import Context
from bot.format import faces_reply
from bot.handlers.common import chat_message, playlist_button, sender
from vision import ImageError


async def selfie(update: Update, context: Context) -> None:
    message = chat_message(update)
    attachment = message.photo[-1] if message.photo else message.document  # the largest photo size
    assert attachment is not None, "the handler's filter lets through photos and image documents only"
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
        result = await context.bot_data.service.read_selfie(sender(update), data)
    except ImageError as error:
        await message.reply_text(messages.UNREADABLE_IMAGE.format(reason=escape(str(error))))
        return
    if result.mood is None:
        await message.reply_text(messages.NO_FACE)
        return
    await message.reply_text(faces_reply(result.faces, result.mood), reply_markup=playlist_button(sender(update)))


HANDLERS = [MessageHandler(filters.PHOTO | filters.Document.IMAGE, selfie)]
