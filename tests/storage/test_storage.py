"""storage.Store against SQLite and, when TEST_POSTGRES_URL is set (.ci/run does it), a real PostgreSQL."""
from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, select
from sqlalchemy.exc import StatementError
from sqlalchemy.ext.asyncio import create_async_engine

from emotions import EMOTIONS
from storage import Feedback, SqlInbox, Store, migrations
from storage.schema import inbox as inbox_table
from storage.schema import metadata, users

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
HAPPY = {"happy": 0.7, "neutral": 0.3}


async def count_rows(url: str, user_id: int) -> dict[str, int]:
    """Rows about `user_id` in every table of the schema, read behind the Store's back."""
    engine = create_async_engine(url)
    async with engine.connect() as connection:
        counts = {}
        for table in metadata.sorted_tables:
            if table is inbox_table:  # updates in flight, not data about the user; handled rows keep no user id
                continue
            owner = table.c.id if table is users else table.c.user_id
            counts[table.name] = (await connection.execute(
                select(func.count()).select_from(table).where(owner == user_id))).scalar_one()
    await engine.dispose()
    return counts


async def test_migrations_build_exactly_the_schema(store, url):
    engine = create_async_engine(url)
    async with engine.connect() as connection:
        diff = await connection.run_sync(lambda c: compare_metadata(MigrationContext.configure(c), metadata))
        version = await connection.run_sync(lambda c: MigrationContext.configure(c).get_current_revision())
    await engine.dispose()
    assert diff == []
    assert version == ScriptDirectory(str(Path(migrations.__file__).parent)).get_current_head()


async def test_sqlite_file_is_in_wal_mode(tmp_path):
    path = tmp_path / "wal.db"
    store = await Store.open(f"sqlite+aiosqlite:///{path}")
    await store.set_consent(1, True)
    await store.close()
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_unknown_user_is_none_and_consent_creates_then_clears(store):
    assert await store.get_user(7) is None
    await store.set_consent(7, True)
    user = await store.get_user(7)
    assert user.consented_at is not None and user.consented_at.tzinfo == UTC
    assert user.prefs == {} and user.taste == {}
    await store.set_consent(7, False)
    assert (await store.get_user(7)).consented_at is None


async def test_restart_keeps_consent_prefs_and_history(url):
    store = await Store.open(url)
    await store.set_consent(1, True)
    await store.set_prefs(1, {"language": "de", "explicit": False})
    await store.set_taste(1, {"genres": ["jazz"]})
    await store.add_reading(1, "face", HAPPY, 0.9, T0, {"faces": 1})
    await store.add_recommendation(1, ["t1", "t2"], "content", "happy", T0)
    await store.add_feedback(1, "t1", True, T0)
    await store.close()

    store = await Store.open(url)  # migrating an up-to-date database is a no-op
    user = await store.get_user(1)
    assert user.consented_at is not None
    assert user.prefs == {"language": "de", "explicit": False} and user.taste == {"genres": ["jazz"]}
    [reading] = await store.readings(1)
    assert (reading.source, reading.confidence, reading.at, reading.meta) == ("face", 0.9, T0, {"faces": 1})
    assert await store.recent_track_ids(1, T0) == {"t1", "t2"}
    assert await store.feedback(1) == [Feedback("t1", True, T0)]
    await store.close()


async def test_readings_are_normalised_oldest_first_and_filtered_by_since(store):
    later = T0 + timedelta(hours=1)
    second = await store.add_reading(1, "text", {"sad": 3.0, "angry": 1.0}, 0.5, later)
    first = await store.add_reading(1, "face", HAPPY, 0.8, T0)
    got = await store.readings(1)
    assert [r.id for r in got] == [first, second]
    assert list(got[1].probs) == list(EMOTIONS) and got[1].probs["sad"] == pytest.approx(0.75)
    assert got[1].meta == {}
    assert [r.id for r in await store.readings(1, since=later)] == [second]
    assert await store.readings(2) == []


async def test_datetimes_come_back_utc_and_naive_ones_are_refused(store):
    with pytest.raises(StatementError, match="naive"):  # wraps the ValueError raised while binding
        await store.add_reading(1, "face", HAPPY, 0.8, T0.replace(tzinfo=None))
    await store.add_reading(1, "face", HAPPY, 0.8, T0.astimezone(ZoneInfo("America/New_York")))
    [reading] = await store.readings(1)
    assert reading.at == T0 and reading.at.tzinfo == UTC


async def test_meta_refuses_content(store):
    with pytest.raises(ValueError, match="derived"):
        await store.add_reading(1, "text", HAPPY, 0.8, T0, {"text": "I had such an awful day at work today, honestly"
                                                                   " the worst one in years"})
    with pytest.raises(ValueError, match="derived"):
        await store.add_reading(1, "face", HAPPY, 0.8, T0, {"crop": b"\x89PNG"})
    assert await store.readings(1) == []


async def test_unknown_emotion_label_is_refused(store):
    with pytest.raises(ValueError, match="unknown emotion"):
        await store.add_reading(1, "face", {"joy": 1.0}, 0.8, T0)


async def test_recent_track_ids_only_since_and_only_this_user(store):
    await store.add_recommendation(1, ["old"], "content", "sad", T0 - timedelta(days=2))
    await store.add_recommendation(1, ["a", "b"], "content", "happy", T0)
    await store.add_recommendation(1, ["b", "c"], "collaborative", "happy", T0 + timedelta(minutes=5))
    await store.add_recommendation(2, ["x"], "content", "happy", T0)
    assert await store.recent_track_ids(1, T0) == {"a", "b", "c"}
    assert await store.recent_track_ids(3, T0) == set()


async def test_latest_feedback_wins_whatever_the_arrival_order(store):
    await store.add_feedback(1, "t1", True, T0)
    await store.add_feedback(1, "t1", False, T0 + timedelta(minutes=1))
    await store.add_feedback(1, "t1", True, T0 - timedelta(minutes=1))  # a stale vote arriving late
    await store.add_feedback(1, "t2", True, T0)
    assert await store.feedback(1) == [Feedback("t2", True, T0), Feedback("t1", False, T0 + timedelta(minutes=1))]


async def test_liked_by_others_excludes_the_user_and_dislikes(store):
    await store.add_feedback(1, "mine", True, T0)
    await store.add_feedback(2, "liked", True, T0)
    await store.add_feedback(2, "disliked", False, T0)
    await store.add_feedback(3, "newer", True, T0 + timedelta(hours=1))
    assert await store.liked_by_others(1) == [(3, "newer"), (2, "liked")]
    assert await store.liked_by_others(1, limit=1) == [(3, "newer")]


async def test_forget_deletes_every_row_about_the_user_and_nothing_else(store, url):
    for user_id in (1, 2):
        await store.set_consent(user_id, True)
        await store.add_reading(user_id, "face", HAPPY, 0.9, T0)
        await store.add_reading(user_id, "text", HAPPY, 0.6, T0)
        await store.add_recommendation(user_id, ["t1"], "content", "happy", T0)
        await store.add_feedback(user_id, "t1", True, T0)
    before = await count_rows(url, 1)
    assert all(before.values())

    assert await store.forget(1) == sum(before.values())
    assert set((await count_rows(url, 1)).values()) == {0}
    assert await store.get_user(1) is None and await store.readings(1) == []
    assert await store.feedback(1) == [] and await store.recent_track_ids(1, T0) == set()
    assert await count_rows(url, 2) == before
    assert await store.forget(1) == 0


async def test_purge_removes_only_readings_before_the_cutoff(store):
    for user_id in (1, 2):
        for days in (40, 31, 1):
            await store.add_reading(user_id, "face", HAPPY, 0.9, T0 - timedelta(days=days))
    await store.add_recommendation(1, ["t1"], "content", "happy", T0 - timedelta(days=40))
    assert await store.purge_readings_before(T0 - timedelta(days=30)) == 4
    for user_id in (1, 2):
        assert [r.at for r in await store.readings(user_id)] == [T0 - timedelta(days=1)]
    assert await store.recent_track_ids(1, T0 - timedelta(days=41)) == {"t1"}  # only readings expire


async def test_concurrent_writes_for_different_users_do_not_cross(store):
    user_ids = range(100, 120)

    async def session(user_id: int) -> None:
        await store.set_consent(user_id, True)
        for i in range(5):
            await store.add_reading(user_id, "text", HAPPY, user_id / 1000, T0 + timedelta(seconds=i),
                                    {"turn": i, "user": user_id})
            await store.add_feedback(user_id, f"track-{user_id}-{i}", i % 2 == 0, T0 + timedelta(seconds=i))
        await store.set_prefs(user_id, {"user": user_id})

    await asyncio.gather(*(session(user_id) for user_id in user_ids))
    for user_id in user_ids:
        got = await store.readings(user_id)
        assert [(r.meta, r.confidence) for r in got] == [({"turn": i, "user": user_id}, user_id / 1000)
                                                         for i in range(5)]
        assert {f.track_id for f in await store.feedback(user_id)} == {f"track-{user_id}-{i}" for i in range(5)}
        assert (await store.get_user(user_id)).prefs == {"user": user_id}


@pytest.mark.timeout(60)  # the failure mode here is a hang: concurrent transactions on one shared connection
async def test_in_memory_store_serves_concurrent_coroutines():
    store = await Store.open("sqlite://")
    await asyncio.gather(*(store.add_reading(user_id, "face", HAPPY, 0.9, T0) for user_id in range(30)))
    assert [len(await store.readings(user_id)) for user_id in range(30)] == [1] * 30
    await store.close()


# -- the durable inbox -------------------------------------------------------------------------

def raw(update_id: int, user_id: int | None) -> tuple[int, int | None, str]:
    return update_id, user_id, f'{{"update_id": {update_id}, "text": "secret words {update_id}"}}'


async def test_inbox_hands_out_each_users_updates_one_at_a_time_in_order(store):
    inbox = SqlInbox(store)
    assert await inbox.put([raw(1, 10), raw(2, 10), raw(3, 20), raw(4, None), raw(5, None)]) == 5
    first = await inbox.claim(10)
    assert [e.update_id for e in first] == [1, 3, 4, 5]  # user 10's second update waits for its first
    assert await inbox.claim(10) == []
    await inbox.ack(1)
    [second] = await inbox.claim(10)
    assert (second.update_id, second.user_id, second.attempts, second.answered) == (2, 10, 1, False)
    assert "secret words 2" in second.payload


async def test_inbox_ignores_redelivery_and_erases_content_when_handled(store, url):
    inbox = SqlInbox(store)
    await inbox.put([raw(1, 10)])
    [envelope] = await inbox.claim(5)
    await inbox.ack(envelope.update_id)
    assert await inbox.put([raw(1, 10)]) == 0  # Telegram sent it again after a crash: already handled
    assert await inbox.claim(5) == []
    engine = create_async_engine(url)
    async with engine.connect() as connection:
        row = (await connection.execute(select(inbox_table))).one()
    await engine.dispose()
    assert (row.payload, row.user_id, row.state) == (None, None, "done")
    assert await inbox.prune(datetime.now(UTC) + timedelta(seconds=1)) == 1


async def test_inbox_survives_a_restart_and_replays_what_was_claimed(url):
    store = await Store.open(url)
    inbox = SqlInbox(store)
    await inbox.put([raw(1, 10), raw(2, 10)])
    [claimed] = await inbox.claim(5)
    await inbox.mark_answered(claimed.update_id)
    await store.close()  # the process dies with update 1 claimed

    store = await Store.open(url)
    inbox = SqlInbox(store)
    assert await inbox.waiting() == 2
    assert await inbox.requeue() == 1
    [again] = await inbox.claim(5)
    assert (again.update_id, again.attempts, again.answered) == (1, 2, True)
    await inbox.ack(1, "skipped")
    [nxt] = await inbox.claim(5)
    assert nxt.update_id == 2
    with pytest.raises(ValueError):
        await inbox.ack(2, "pending")
    await store.close()


async def test_inbox_requeues_only_expired_claims(store):
    inbox = SqlInbox(store)
    await inbox.put([raw(1, 10)])
    await inbox.claim(5)
    assert await inbox.requeue(claimed_before=datetime.now(UTC) - timedelta(minutes=5)) == 0
    assert await inbox.requeue(claimed_before=datetime.now(UTC) + timedelta(seconds=1)) == 1


async def test_inbox_writes_what_waits_in_one_transaction_each_committed_when_its_call_returns(store, url, monkeypatch):
    inbox = SqlInbox(store)
    await inbox.put([raw(i, i) for i in range(1, 41)])
    assert len(await inbox.claim(40)) == 40
    transactions = []
    run = store._run

    async def counted(fn, *args, **kwargs):
        transactions.append(len(args[0]) if args and isinstance(args[0], list) else None)
        return await run(fn, *args, **kwargs)

    monkeypatch.setattr(store, "_run", counted)
    await asyncio.gather(*(inbox.mark_answered(i) for i in range(1, 21)), *(inbox.ack(i) for i in range(1, 41)))
    assert transactions == [60]  # all of them queued before the first call's transaction began
    engine = create_async_engine(url)
    async with engine.connect() as connection:
        rows = (await connection.execute(select(inbox_table))).all()
    await engine.dispose()
    assert {(r.state, r.payload, r.user_id) for r in rows} == {("done", None, None)}
    assert sorted(r.update_id for r in rows if r.answered) == list(range(1, 21))


async def test_inbox_ack_whose_transaction_failed_is_written_by_the_next_one(store, monkeypatch):
    inbox = SqlInbox(store)
    await inbox.put([raw(1, 10), raw(2, 20), raw(3, 10)])
    assert [e.update_id for e in await inbox.claim(5)] == [1, 2]
    run = store._run

    async def fails_once(fn, *args, **kwargs):
        monkeypatch.setattr(store, "_run", run)
        raise OSError("the database went away for a moment")

    monkeypatch.setattr(store, "_run", fails_once)
    with pytest.raises(OSError):
        await inbox.ack(1)
    await inbox.ack(2)
    [nxt] = await inbox.claim(5)
    assert nxt.update_id == 3  # user 10's first update was acknowledged after all
    assert await inbox.waiting() == 1


async def test_two_workers_never_claim_the_same_update_or_the_same_user_at_once(url):
    """Scale-out: processes sharing the database (two Stores here) split the work, per user in order."""
    first, second = await Store.open(url), await Store.open(url)
    try:
        await SqlInbox(first).put([raw(i, i % 5) for i in range(1, 41)])
        claimed = await asyncio.gather(*(SqlInbox(store).claim(3) for store in (first, second) for _ in range(3)))
        envelopes = [e for batch in claimed for e in batch]
        assert len({e.update_id for e in envelopes}) == len(envelopes) == 5  # one per user, no row twice
        assert sorted(e.update_id for e in envelopes) == [1, 2, 3, 4, 5]  # each user's oldest
    finally:
        await first.close()
        await second.close()
