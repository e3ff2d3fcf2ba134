"""Invite in bulk: every young person not yet invited gets their single-use link.

An admin invites everyone; a leader the young people of their team's guides. "Not yet
invited" means no invite that was accepted or can still be used, so a young person whose
link ran out gets a new one. The invite's client key is derived from the person and how
many invites they had (`bulk-invite-<user id>-<n>`), a unique column: a retried or
doubled bulk invite inserts nothing the second time (insert-on-conflict) and queues
nothing.

The links go out through the outbox at the municipality's sending rate
(`invites_per_minute`), outside the quiet hours: each invite's `not_before` is its
sending slot. (A single invite from a guide goes at once; the young person is waiting.)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, exists, func, or_, true
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db import dialect_insert
from app.errors import Forbidden
from app.models import (
    CourseStatus,
    Invite,
    Notification,
    NotificationStatus,
    Role,
    User,
    UserSession,
    Youth,
)
from app.notifications.outbox import enqueue_many
from app.notifications.rules import QuietHours, quiet_hours
from app.security.tokens import new_token, token_hash
from app.services.admin import changes, municipal_settings
from app.services.identity.invites import INVITE_TTL

log = logging.getLogger("trinvis.onboarding")

# Invites inserted per statement (8 values each, well within SQLite's parameter limit).
INSERT_BATCH = 200


def _may_invite(actor: User) -> None:
    if actor.role not in (Role.admin, Role.leader):
        raise Forbidden()


def _in_scope(actor: User) -> ColumnElement[bool]:
    """The young people this admin or leader invites: all, or their team's guides'."""
    _may_invite(actor)
    if actor.role == Role.admin:
        return true()
    guide = User.__table__.alias("team_guide")  # type: ignore[attr-defined]
    return col(Youth.guide_id).in_(
        select(guide.c.id).where(
            guide.c.role == Role.guide,
            guide.c.team_id == actor.team_id,
            guide.c.team_id.is_not(None),
        )
    )


def _not_invited(now: datetime) -> ColumnElement[bool]:
    """On a course, reachable, no invite accepted or still usable, and not signed in on
    any device (someone who got in with a code or MitID needs no link)."""
    return and_(
        col(Youth.status) == CourseStatus.in_course,
        col(User.is_active),
        or_(col(User.phone).is_not(None), col(User.email).is_not(None)),
        ~exists().where(
            col(Invite.user_id) == col(User.id),
            or_(col(Invite.used_at).is_not(None), col(Invite.expires_at) > now),
        ),
        ~exists().where(col(UserSession.user_id) == col(User.id)),
    )


async def not_invited_count(db: AsyncSession, *, actor: User, now: datetime) -> int:
    """How many young people a bulk invite would invite now."""
    found = await db.exec(
        select(func.count())
        .select_from(Youth)
        .join(User, col(User.id) == col(Youth.user_id))
        .where(_in_scope(actor), _not_invited(now))
    )
    return int(found.one())


def sending_times(
    count: int, *, start: datetime, per_minute: int, quiet: QuietHours
) -> list[datetime]:
    """A slot for each invite: `per_minute` a minute from `start`, none in quiet hours."""
    times: list[datetime] = []
    slot = quiet.until(start) or start
    used = 0
    for _ in range(count):
        if used == per_minute:
            slot += timedelta(minutes=1)
            slot = quiet.until(slot) or slot
            used = 0
        times.append(slot)
        used += 1
    return times


async def _first_free_slot(db: AsyncSession, now: datetime) -> datetime:
    """After the bulk invites still waiting to be sent, so two bulk invites keep the rate."""
    last = (
        await db.exec(
            select(func.max(Notification.not_before)).where(
                col(Notification.kind) == "auth.invite",
                col(Notification.status) == NotificationStatus.pending,
                col(Notification.dedupe_key).like("auth.invite:%"),
                ~col(Notification.urgent),
            )
        )
    ).one()
    if last is not None and last >= now:
        return last + timedelta(minutes=1)
    return now


async def invite_all(db: AsyncSession, *, actor: User, base_url: str, now: datetime) -> int:
    """Invite everyone in scope not yet invited; returns how many were invited now."""
    assert actor.id is not None
    earlier = (
        select(func.count())
        .select_from(Invite)
        .where(col(Invite.user_id) == col(User.id))
        .correlate(User)
        .scalar_subquery()
    )
    people = (
        await db.exec(
            select(User, Youth.guide_id, earlier)
            .join(Youth, col(Youth.user_id) == col(User.id))
            .where(_in_scope(actor), _not_invited(now))
            .order_by(col(User.id))
        )
    ).all()
    guide_ids = {guide_id for _person, guide_id, _n in people if guide_id}
    guides = (
        {
            u.id: u.first_name
            for u in (await db.exec(select(User).where(col(User.id).in_(guide_ids)))).all()
        }
        if guide_ids
        else {}
    )
    settings = await municipal_settings.current(db)
    times = sending_times(
        len(people),
        start=await _first_free_slot(db, now),
        per_minute=settings.invites_per_minute,
        quiet=await quiet_hours(db),
    )
    invited = 0
    batch = list(zip(people, times, strict=True))
    for start in range(0, len(batch), INSERT_BATCH):
        invited += await _invite_batch(
            db,
            [
                (person, int(number), guides.get(guide_id, ""), at)
                for (person, guide_id, number), at in batch[start : start + INSERT_BATCH]
            ],
            actor=actor,
            base_url=base_url,
            now=now,
        )
    await changes.record(
        db,
        actor=actor,
        action="youth.bulk_invite",
        target=f"team:{actor.team_id}" if actor.role == Role.leader else "all",
        after={"invited": invited},  # a count only
        now=now,
    )
    log.info("bulk invite", extra={"event": "bulk_invite", "user_id": actor.id, "invited": invited})
    return invited


async def _invite_batch(
    db: AsyncSession,
    people: list[tuple[User, int, str, datetime]],
    *,
    actor: User,
    base_url: str,
    now: datetime,
) -> int:
    """Invites for (person, earlier invites, guide's first name, sending slot), each once,
    and their notifications; returns how many were new.

    The earlier-invite count is in the key: the same for a retry (insert-on-conflict
    inserts nothing, and only inserted rows come back), one more once a new invite is
    stored, so each new link has a key of its own.
    """
    assert actor.id is not None
    tokens: dict[str, tuple[str, User, str, datetime]] = {}
    rows = []
    for person, number, guide, at in people:
        assert person.id is not None
        key = f"bulk-invite-{person.id}-{number}"
        token = new_token()
        tokens[key] = (token, person, guide, at)
        rows.append(
            {
                "user_id": person.id,
                "created_by_id": actor.id,
                "token_hash": token_hash(token),
                "channel": "sms" if person.phone else "email",
                "client_key": key,
                "created_at": now,
                "expires_at": at + INVITE_TTL,
                "used_at": None,
            }
        )
    if not rows:
        return 0
    insert = dialect_insert(db)
    statement = (
        insert(Invite)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["client_key"])
        .returning(col(Invite.id), col(Invite.client_key), col(Invite.channel))
    )
    created = (await db.exec(statement)).all()  # type: ignore[call-overload]
    queued: list[dict[str, object]] = []
    for invite_id, key, channel in created:
        token, person, guide, at = tokens[key]
        queued.append(
            {
                "user_id": person.id,
                "kind": "auth.invite",
                "channel": channel,
                "dedupe_key": f"auth.invite:{invite_id}",
                "params": {"link": f"{base_url.rstrip('/')}/invite/{token}", "guide": guide},
                "not_before": at,
            }
        )
    await enqueue_many(db, queued, now=now)
    return len(created)


@dataclass(frozen=True)
class InviteLine:
    """A young person in scope and how far their invitation got."""

    name: str
    guide: str
    state: str  # not_invited | invited | accepted | expired
    invited_at: datetime | None
    accepted_at: datetime | None


@dataclass
class GuideCount:
    guide: str
    not_invited: int = 0
    invited: int = 0
    accepted: int = 0
    expired: int = 0


async def invite_lines(db: AsyncSession, *, actor: User, now: datetime) -> list[InviteLine]:
    """Each young person (on a course) with their newest invitation: for admins, who
    imported them; leaders see counts (`invite_counts`)."""
    if actor.role != Role.admin:
        raise Forbidden()
    return await _lines(db, actor=actor, now=now)


async def invite_counts(db: AsyncSession, *, actor: User, now: datetime) -> list[GuideCount]:
    """How far the invitations got, per guide in scope."""
    return by_guide(await _lines(db, actor=actor, now=now))


async def _lines(db: AsyncSession, *, actor: User, now: datetime) -> list[InviteLine]:
    guide = User.__table__.alias("guide")  # type: ignore[attr-defined]
    people = (
        await db.exec(
            select(User.id, User.name, guide.c.name)
            .join(Youth, col(Youth.user_id) == col(User.id))
            .outerjoin(guide, guide.c.id == col(Youth.guide_id))
            .where(_in_scope(actor), col(Youth.status) == CourseStatus.in_course)
            .order_by(guide.c.name, col(User.name))
        )
    ).all()
    newest: dict[int, Invite] = {}
    ids = [user_id for user_id, _name, _guide in people]
    for start in range(0, len(ids), 500):
        found = await db.exec(
            select(Invite)
            .where(col(Invite.user_id).in_(ids[start : start + 500]))
            .order_by(col(Invite.created_at), col(Invite.id))
        )
        newest.update({invite.user_id: invite for invite in found.all()})
    lines = []
    for user_id, name, guide_name in people:
        invite = newest.get(user_id) if user_id is not None else None
        lines.append(
            InviteLine(
                name=name,
                guide=guide_name or "",
                state=_state(invite, now),
                invited_at=invite.created_at if invite else None,
                accepted_at=invite.used_at if invite else None,
            )
        )
    return lines


def _state(invite: Invite | None, now: datetime) -> str:
    if invite is None:
        return "not_invited"
    if invite.used_at is not None:
        return "accepted"
    return "expired" if invite.expires_at <= now else "invited"


def by_guide(lines: list[InviteLine]) -> list[GuideCount]:
    """The same lines as counts per guide (what a leader sees: numbers, never names)."""
    counts: dict[str, GuideCount] = {}
    for line in lines:
        count = counts.setdefault(line.guide, GuideCount(line.guide))
        setattr(count, line.state, getattr(count, line.state) + 1)
    return list(counts.values())
