"""The application: database, conversation engine, outbox and channels wired together."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import weakref
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from redis.exceptions import RedisError
from sqlalchemy.exc import DataError, DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.delivery.channel import Sender
from bot.delivery.outbox import OutboxHooks, OutboxWorker, enqueue
from bot.delivery.queue_hooks import QueueDeliveryHooks
from bot.ocr.pictures import PictureReader, UrlFiles
from bot.redis_fallback import RedisHealth
from bot.settings import Settings
from handlers.citizen import texts as T
from handlers.citizen.engine import Engine, StaffHandler
from handlers.directory import KnowledgeBaseFaq, OfficialUnits
from handlers.events import AttachmentRef, ChatKind, Incoming, Outgoing, Reply
from handlers.schedule.worktime import (
    SlaPolicy,
    WorkCalendar,
    WorkCalendarConfig,
    deadlines,
    format_deadline_vi,
)
from handlers.services import CaseHooks, CoreConfig, FaqStage, StaffDirectory, StaticStaff
from handlers.staff.desk import StaffDesk
from handlers.staff.queue import Queue
from storage.db import Database
from storage.repo import record_update

log = logging.getLogger(__name__)

# Failures that say nothing about the update itself: it is delivered again and succeeds later.
# A pool with no free connection (PoolTimeout) is one of them: the database is slow or stuck.
_TRANSIENT: tuple[type[BaseException], ...] = (OSError, TimeoutError, RedisError, PoolTimeout)


def core_config(settings: Settings) -> CoreConfig:
    conv = settings.conversation
    config = CoreConfig(
        resume_after_hours=conv.resume_after_hours,
        max_text_length=conv.max_text_length,
        min_description_length=conv.min_description_length,
        max_attachments=conv.max_attachments,
        max_attachment_mb=conv.max_attachment_mb,
        flood_messages=conv.flood_messages,
        flood_window_seconds=conv.flood_window_seconds,
        max_open_cases=conv.max_open_cases,
        timezone=settings.timezone,
    )
    if conv.allowed_mime_types:
        config.allowed_mime_types = tuple(m.lower() for m in conv.allowed_mime_types)
    return config


def work_calendar(settings: Settings) -> WorkCalendar:
    return WorkCalendar(
        WorkCalendarConfig(
            office_hours=list(settings.calendar.office_hours),
            extra_days_off=list(settings.calendar.extra_days_off),
            makeup_workdays=list(settings.calendar.makeup_workdays),
            tz=settings.timezone,
        )
    )


class Application:
    def __init__(
        self,
        settings: Settings,
        *,
        db: Database | None = None,
        faq: FaqStage | None = None,
        queue: CaseHooks | None = None,
        staff: StaffHandler | None = None,
    ) -> None:
        self.settings = settings
        pool = settings.database
        self.db = db or Database(
            settings.sqlalchemy_url,
            pool_size=pool.pool_size,
            max_overflow=pool.max_overflow,
            connect_timeout=pool.connect_timeout_seconds,
            statement_timeout=pool.statement_timeout_seconds,
        )
        # Messages in a database transaction at once (settings.DatabaseSettings says why).
        self._intake = asyncio.Semaphore(pool.intake_transactions)
        self.calendar = work_calendar(settings)
        policies = {
            name: SlaPolicy(level.first_response_hours, level.resolution_hours)
            for name, level in (("normal", settings.sla.normal), ("urgent", settings.sla.urgent))
        }
        self.faq = faq or KnowledgeBaseFaq()
        units = OfficialUnits()
        format_time = self.format_time
        self.queue = Queue(
            staff_channel="telegram",
            staff_chat_id=str(settings.staff_chat_id) if settings.staff_chat_id else None,
            units=units,
            faq=self.faq,
            format_time=format_time,
            timezone=settings.timezone,
        )
        self.queue.relays_per_minute = settings.conversation.followup_relays_per_minute
        self.queue.digest_seconds = settings.conversation.followup_digest_seconds
        self.staff_directory: StaffDirectory = StaticStaff(
            {str(u) for u in settings.staff.allowlist}, {str(u) for u in settings.staff.leaders}
        )
        self.engine = Engine(
            config=core_config(settings),
            units=units,
            deadline=lambda created, priority: deadlines(created, priority, self.calendar, policies),
            format_time=format_time,
            faq=self.faq,
            queue=queue or self.queue,
            staff=staff,
        )
        self.desk = StaffDesk(
            self.queue,
            _DirectoryProxy(self),
            timezone=settings.timezone,
            rating_choices=self.engine.rating_request,
            faq_drafts_dir=Path(settings.staff.faq_drafts_dir),
            topic_messages=settings.staff.topic_messages,
        )
        if staff is None:
            self.engine.staff = self.desk
        self.desk.register("taifaq", self._reload_faq_command)
        self.desk.carries = self._carries
        self.senders: dict[str, Sender] = {}
        self.outbox_hooks: OutboxHooks | None = QueueDeliveryHooks(self.queue)
        self.outbox: OutboxWorker | None = None
        # One lock per person in this process: their messages are handled one at a time, in order.
        self._locks: weakref.WeakValueDictionary[tuple[str, str], asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )
        # Several workers (settings.redis_url): the same person's updates also take turns across them.
        self._redis: Any = None
        self._person_lock: Any = None
        # Redis down: updates go on with this process's locks and limits (bot/redis_fallback.py).
        self.redis_health = RedisHealth()
        self.on_processed: list[Callable[[Incoming], None]] = []
        # Text in pictures (issue #21): Zalo pictures come by URL; the runtime adds Telegram's.
        max_bytes = int(settings.conversation.max_attachment_mb * 1024 * 1024)
        self.pictures = PictureReader({"zalo_bot": UrlFiles(), "zalo_oa": UrlFiles()}, max_bytes=max_bytes)
        # The Telegram bot's @username once known (runtime start): "/cmd@other_bot" is not ours.
        self.telegram_username: str | None = None

    def format_time(self, moment: datetime) -> str:
        return format_deadline_vi(moment, self.settings.timezone)

    def reload_faq(self) -> int:
        """Reload the knowledge base from disk (staff command /taifaq); returns the topic count.

        A malformed file raises KnowledgeBaseError and the running base stays as it was."""
        if isinstance(self.faq, KnowledgeBaseFaq):
            self.faq.reload()
        return sum(len(topics) for topics in self.faq.topics_by_system().values())

    def _carries(self, channel: str, attachment: AttachmentRef) -> bool:
        """Whether a file staff send can be shown on `channel` (the sender decides; Telegram always)."""
        sender = self.senders.get(channel)
        carries = getattr(sender, "carries", None)
        if carries is not None:
            return bool(carries(attachment))
        return channel == "telegram"

    async def _reload_faq_command(self, session: AsyncSession, event: Incoming, out: list[Outgoing]) -> None:
        from faq.knowledge import KnowledgeBaseError

        try:
            count = self.reload_faq()
            text = f"🔄 Đã tải lại bộ câu hỏi thường gặp: {count} chủ đề."
        except KnowledgeBaseError as exc:
            text = f"⚠️ Chưa tải lại được bộ câu hỏi (vẫn dùng bản cũ): {exc}"
        out.append(
            Outgoing(event.channel, event.chat_id, Reply(text), thread_id=event.thread_id, purpose="staff")
        )

    def add_sender(self, sender: Sender) -> None:
        self.senders[sender.channel] = sender

    def start_outbox(self) -> OutboxWorker:
        d = self.settings.delivery
        limiter = None
        if self.settings.redis_url:
            from bot.redis_fallback import FallbackRateLimiter
            from bot.redis_support import RedisRateLimiter

            # One Telegram budget for all workers, not one per process (this process's own
            # while Redis is down).
            limiter = FallbackRateLimiter(RedisRateLimiter(self._redis_client()), self.redis_health)
        self.outbox = OutboxWorker(
            self.db,
            self.senders,
            hooks=self.outbox_hooks,
            give_up_after=timedelta(hours=d.give_up_after_hours),
            max_backoff=d.max_backoff_seconds,
            stuck_after=timedelta(minutes=d.health_backlog_minutes),
            # The ERROR line's alert goes to the staff group (first in its queue).
            alert_chat=("telegram", str(self.settings.staff_chat_id))
            if self.settings.staff_chat_id
            else None,
            poll_interval=d.poll_interval_seconds,
            limiter=limiter,
            claim_lease=timedelta(seconds=d.claim_lease_seconds),
            recover_all_on_start=self.db.is_sqlite,
        )
        return self.outbox

    def _redis_client(self) -> Any:
        if self._redis is None:
            from bot.redis_support import connect

            assert self.settings.redis_url
            self._redis = connect(self.settings.redis_url)
        return self._redis

    def _lock(self, event: Incoming) -> asyncio.Lock:
        key = (event.channel, event.user_id)
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        return lock

    def _shared_lock(self, event: Incoming) -> contextlib.AbstractAsyncContextManager[None]:
        if not self.settings.redis_url:
            return contextlib.nullcontext()
        if self._person_lock is None:
            from bot.redis_fallback import FallbackPersonLock
            from bot.redis_support import RedisPersonLock

            self._person_lock = FallbackPersonLock(RedisPersonLock(self._redis_client()), self.redis_health)
        lock: contextlib.AbstractAsyncContextManager[None] = self._person_lock.hold(
            event.channel, event.user_id
        )
        return lock

    async def receive(self, event: Incoming) -> None:
        """Process one incoming event durably: state, case and replies commit together.

        One person's events take turns: an asyncio lock in this process (FIFO), then the Redis
        queue across processes when configured, then PostgreSQL's advisory lock in the
        transaction (storage.repo.lock_person)."""
        async with self._lock(event), self._shared_lock(event):
            # Before the transaction: reading a picture takes up to seconds, off the event loop.
            event = await self.pictures.read(event)
            for attempt in range(5):
                try:
                    # SQLite: transactions take turns, in order (storage.db.SessionTurns).
                    async with self._intake, self.db.unit() as session:
                        outgoing = await self.engine.handle(session, event)
                        await enqueue(session, outgoing)
                    break
                except DataError:
                    # A value the database refuses (too long, out of range) is refused every
                    # time: retried, it would come back from the messenger forever.
                    log.exception(
                        "update %s holds data the database refuses; answered with an apology",
                        event.update_key,
                    )
                    await self._apologise(event)
                    break
                except (OperationalError, DBAPIError) as exc:
                    # Lock timeouts and serialization failures are transient: try again. A
                    # statement the server cancelled for its timeout is not tried again here:
                    # five more waits would hold the messenger's request far too long.
                    if attempt == 4 or _statement_timed_out(exc):
                        raise
                    log.warning("retrying update after database error: %s", type(exc).__name__)
                    await asyncio.sleep(0.05 * (attempt + 1))
                except _TRANSIENT:
                    raise  # the network, Redis: the messenger delivers the update again
                except Exception:
                    log.exception(
                        "update %s could not be handled; answered with an apology", event.update_key
                    )
                    await self._apologise(event)
                    break
        if self.outbox is not None:
            self.outbox.wake()
        for callback in self.on_processed:
            callback(event)

    async def _apologise(self, event: Incoming) -> None:
        """An update the handlers fail on (a bug, not an outage) would fail the same way every
        time it came back, holding up the person's later messages. It is recorded as handled,
        in a transaction of its own (the failed one rolled back), and the person is told."""
        async with self._intake, self.db.unit() as session:
            if event.update_key is not None and not await record_update(
                session, event.channel, event.update_key, event.user_id
            ):
                return
            if event.chat_kind == ChatKind.PRIVATE:
                await enqueue(session, [Outgoing(event.channel, event.chat_id, Reply(T.INTERNAL_ERROR))])

    def now(self) -> datetime:
        return self.engine.now()

    async def close(self) -> None:
        if self.outbox is not None:
            await self.outbox.stop()
        if self._redis is not None:
            from bot.redis_support import close

            await close(self._redis)
        await self.db.dispose()


def _statement_timed_out(exc: DBAPIError) -> bool:
    """The statement already waited as long as it may: PostgreSQL's query_canceled (its
    statement_timeout ran out, storage/db.py), or SQLite still locked by another process after
    its busy timeout (a CLI purge): five more tries would hold the update 25 s."""
    if getattr(exc.orig, "sqlstate", None) == "57014" or getattr(exc.orig, "pgcode", None) == "57014":
        return True
    return isinstance(exc.orig, sqlite3.OperationalError) and "locked" in str(exc.orig)


class _DirectoryProxy:
    """Lets the runtime swap the staff directory (Telegram membership) after construction."""

    def __init__(self, app: Application) -> None:
        self.app = app

    async def is_staff(self, user_id: str) -> bool:
        return await self.app.staff_directory.is_staff(user_id)

    def is_leader(self, user_id: str) -> bool:
        return self.app.staff_directory.is_leader(user_id)
