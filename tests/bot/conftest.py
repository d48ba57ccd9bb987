"""The real Application over HTTP against the fake Bot API, with analyzers loaded once per session."""
from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.app import build_application, running
from bot.models import Models, load_models
from bot.settings import Settings
from playground.samples import sample_photos
from playground.telegram import FakeBotAPI, FakeUser

TOKEN = "123456:TEST-token"


@pytest.fixture(scope="session")
def photos() -> dict[str, bytes]:
    return sample_photos()


@pytest.fixture(scope="session")
def models() -> Models:
    return load_models(Settings(_env_file=None))


def settings_for(api: FakeBotAPI, database: str, **overrides: object) -> Settings:
    return Settings(_env_file=None, telegram_bot_token=TOKEN, telegram_api_base_url=api.root,
                    database_url=f"sqlite:///{database}", poll_timeout=1, **overrides)


class Harness:
    def __init__(self, api: FakeBotAPI, app: object):
        self.api, self.app = api, app
        self.service = app.bot_data.service

    def user(self, user_id: int, name: str = "Alex") -> FakeUser:
        return FakeUser(self.api, TOKEN, user_id, name)

    async def consented_user(self, user_id: int) -> FakeUser:
        user = self.user(user_id)
        intro = await user.ask("/start")
        await user.press(intro, "I agree")
        await user.wait_for(lambda calls: any(c.method == "editMessageText" for c in calls))
        return user

    async def user_feeling(self, user_id: int, feeling: str) -> FakeUser:
        """A consented user who told the bot how they feel (/mood -> pick a feeling): a known mood."""
        user = await self.consented_user(user_id)
        picker = await user.ask("/mood")
        await user.press(picker, feeling)
        await user.wait_for(lambda calls: any("Got it: you feel" in c.text for c in calls))
        return user


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as api:
        yield api


@pytest.fixture
async def bot(api: FakeBotAPI, models: Models, tmp_path) -> AsyncIterator[Harness]:
    app = build_application(settings_for(api, tmp_path / "bot.db"), models)
    async with running(app):
        yield Harness(api, app)
