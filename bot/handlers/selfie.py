"""Selfies as photos, image files, video notes or short videos: the main face's expression -> a reading -> the mood."""
from __future__ import annotations

from html import escape

from telegram import Document, PhotoSize, Update, Video, VideoNote
from telegram.constants import FileSizeLimit
from telegram.ext import ContextTypes, MessageHandler, filters

from bot import messages
from bot.format import faces_reply
from bot.handlers.common import playlist_button, service
from vision import ImageError, VideoError


async def selfie(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    attachment = message.photo[-1] if message.photo else message.document  # the largest photo size
    await read(update, context, attachment, video=False)


async def video_selfie(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    await read(update, context, message.video_note or message.video or message.document, video=True)


async def read(update: Update, context: ContextTypes.DEFAULT_TYPE, attachment: PhotoSize | Document | Video | VideoNote,
               video: bool) -> None:
    message = update.effective_message
    if attachment.file_size and attachment.file_size > FileSizeLimit.FILESIZE_DOWNLOAD:
        await message.reply_text(messages.TOO_BIG.format(mb=FileSizeLimit.FILESIZE_DOWNLOAD // 1_000_000))
        return
    # Memory only: the bytes are never written to disk or logged, and dropped after reading.
    data = bytes(await (await attachment.get_file()).download_as_bytearray())
    try:
        result = await service(context).read_selfie(update.effective_user.id, data, video=video)
    except (ImageError, VideoError) as error:
        kind = "video" if video else "image"
        hint = "A short selfie video works best." if video else "A normal photo works best."
        await message.reply_text(f"I couldn't read that {kind}: {escape(str(error))}. {hint}")
        return
    if result.mood is None:
        await message.reply_text(messages.NO_FACE_VIDEO if video else messages.NO_FACE)
        return
    await message.reply_text(faces_reply(result.faces, result.mood, video=video), reply_markup=playlist_button())


HANDLERS = [MessageHandler(filters.PHOTO | filters.Document.IMAGE, selfie),
            MessageHandler(filters.VIDEO_NOTE | filters.VIDEO | filters.Document.VIDEO, video_selfie)]
