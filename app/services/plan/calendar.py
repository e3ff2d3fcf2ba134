"""Appointments in the phone's calendar: one `.ics` file, or a personal feed address.

The feed address carries a secret; only its SHA-256 is stored, so the address can be
shown once, and it stops working the moment the young person revokes it (or makes a
new one). The feed itself is public and answers only for a valid, unrevoked secret.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from icalendar import Calendar, Event
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.errors import NotFound
from app.i18n import _current, gettext, normalise_locale
from app.models import Appointment, AppointmentStatus, CalendarFeed, User, Youth
from app.security.access import Via, youth_scope
from app.security.tokens import new_token, token_hash
from app.services.plan.appointments import place_label
from app.services.plan.steps import own_youth

FEED_PAST_DAYS = 90
PRODUCT_ID = "-//Trinvis//Aftaler//DA"


async def appointment_file(
    db: AsyncSession, *, actor: User, appointment_id: int, host: str, now: datetime
) -> bytes:
    """One appointment as an `.ics` file, for the young person's own calendar."""
    appointment = await db.get(Appointment, appointment_id)
    if appointment is None:
        raise NotFound()
    if await youth_scope(db, actor=actor, youth_id=appointment.youth_id, now=now) is not Via.self_:
        raise NotFound()
    return await _calendar(db, [appointment], host=host, locale=actor.locale, now=now)


async def active_feed(db: AsyncSession, *, actor: User) -> CalendarFeed | None:
    youth = await own_youth(db, actor=actor)
    return (
        await db.exec(
            select(CalendarFeed).where(
                CalendarFeed.youth_id == youth.id, col(CalendarFeed.revoked_at).is_(None)
            )
        )
    ).first()


async def new_feed(db: AsyncSession, *, actor: User, now: datetime) -> str:
    """Make a new feed secret (revoking the old one); the secret is returned only here."""
    await revoke_feed(db, actor=actor, now=now)
    youth = await own_youth(db, actor=actor)
    assert youth.id is not None
    token = new_token()
    db.add(CalendarFeed(youth_id=youth.id, token_hash=token_hash(token), created_at=now))
    await db.flush()
    return token


async def revoke_feed(db: AsyncSession, *, actor: User, now: datetime) -> None:
    youth = await own_youth(db, actor=actor)
    feeds = await db.exec(
        select(CalendarFeed).where(
            CalendarFeed.youth_id == youth.id, col(CalendarFeed.revoked_at).is_(None)
        )
    )
    for feed in feeds.all():
        feed.revoked_at = now
        db.add(feed)
    await db.flush()


async def feed_file(db: AsyncSession, *, token: str, host: str, now: datetime) -> bytes:
    """The feed for a secret, or NotFound for an unknown or revoked one."""
    feed = (
        await db.exec(
            select(CalendarFeed).where(
                CalendarFeed.token_hash == token_hash(token), col(CalendarFeed.revoked_at).is_(None)
            )
        )
    ).first()
    if feed is None:
        raise NotFound()
    youth = await db.get(Youth, feed.youth_id)
    person = await db.get(User, youth.user_id) if youth else None
    if youth is None or person is None or not person.is_active:
        raise NotFound()
    rows = await db.exec(
        select(Appointment)
        .where(
            Appointment.youth_id == youth.id,
            col(Appointment.starts_at) >= now - timedelta(days=FEED_PAST_DAYS),
        )
        .order_by(col(Appointment.starts_at))
    )
    return await _calendar(db, rows.all(), host=host, locale=person.locale, now=now)


async def _calendar(
    db: AsyncSession, appointments: Iterable[Appointment], *, host: str, locale: str, now: datetime
) -> bytes:
    rows = list(appointments)
    guides = await db.exec(
        select(User.id, User.name).where(col(User.id).in_({a.guide_id for a in rows}))
    )
    names = {uid: name for uid, name in guides.all()}
    # Calendar apps fetch without our cookie: write in the young person's own language.
    token = _current.set(normalise_locale(locale) or "da")
    try:
        calendar = Calendar()
        calendar.add("prodid", PRODUCT_ID)
        calendar.add("version", "2.0")
        calendar.add("x-wr-calname", gettext("Trinvis appointments"))
        for appointment in rows:
            calendar.add_component(_event(appointment, names, host=host, now=now))
        return calendar.to_ical()
    finally:
        _current.reset(token)


def _event(
    appointment: Appointment, names: dict[int | None, str], *, host: str, now: datetime
) -> Event:
    event = Event()
    event.add("uid", f"appointment-{appointment.id}@{host}")
    event.add("dtstamp", now)
    event.add("dtstart", appointment.starts_at)
    event.add("dtend", appointment.starts_at + timedelta(minutes=appointment.duration_minutes))
    guide = names.get(appointment.guide_id, "")
    event.add("summary", gettext("Meeting with %(name)s", name=guide.split(" ")[0] or guide))
    event.add("description", appointment.topic)
    event.add("location", place_label(appointment))
    # Each move or cancellation raises the version, so calendars replace the old event.
    event.add("sequence", appointment.version - 1)
    cancelled = appointment.status == AppointmentStatus.cancelled
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event
