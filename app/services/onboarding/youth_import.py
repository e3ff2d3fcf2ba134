"""Import young people from the case system's file: preview, confirm, apply in chunks.

1. `preview` reads the file, decides each row's outcome against the database (new,
   unchanged, updated, or an error with the reason and the line number) and stores the
   rows server-side in a `YouthImport`; nothing else is written.
2. `confirm` moves that import from preview to applying with a conditional UPDATE, so a
   double-submitted confirm applies nothing twice, and applies the first chunk.
3. `apply_next_chunk` applies the next rows, each in its own savepoint: one bad row is
   that row's error and never stops or half-writes the others. The worker job
   (`run_import_jobs`) and `trinvis import-youth` call it until the import is done.

The case reference (`Youth.case_ref`, unique) is the key: importing the same file again
changes nothing, a changed phone number updates the person. The guide is set for new
young people only; a change of guide is a handover in Trinvis, never an import.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.clock import in_copenhagen
from app.errors import Conflict, Forbidden, NotFound
from app.i18n import N_, gettext
from app.models import (
    GuideAssignment,
    ImportStatus,
    ReadinessGroup,
    Role,
    User,
    Youth,
    YouthImport,
)
from app.services.admin import changes, municipal_settings
from app.services.onboarding.csv_file import Row, read_file

log = logging.getLogger("trinvis.onboarding")

CHUNK = 100
PREVIEW_TTL = timedelta(hours=24)
OUTCOMES = ("new", "updated", "unchanged", "error")
PERSON_FIELDS = ("name", "phone", "email")
YOUTH_FIELDS = ("birth_date", "readiness_group")

PHONE_TAKEN = N_("This mobile number belongs to someone else in Trinvis.")
EMAIL_TAKEN = N_("This e-mail belongs to someone else in Trinvis.")
NO_GUIDE = N_("No active guide in Trinvis has this e-mail.")
CHANGED_MEANWHILE = N_("Someone changed this young person meanwhile. Import the file again.")


class PreviewGone(NotFound):
    message = N_("This preview has run out. Please upload the file again.")


def _only_admins(actor: User | None) -> None:
    if actor is not None and actor.role != Role.admin:
        raise Forbidden()


def _chunks(values: list[str], size: int = 500) -> Iterable[list[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


@dataclass
class _Known:
    """What the database holds for the values of a batch of rows."""

    youth_by_ref: dict[str, tuple[Youth, User]]
    user_by_phone: dict[str, int]
    user_by_email: dict[str, int]
    guide_by_email: dict[str, int]


async def _known(db: AsyncSession, rows: list[dict[str, Any]]) -> _Known:
    refs = sorted({r["values"]["case_ref"] for r in rows if r["values"].get("case_ref")})
    phones = sorted({r["values"]["phone"] for r in rows if r["values"].get("phone")})
    emails = sorted({r["values"]["email"] for r in rows if r["values"].get("email")})
    guides = sorted({r["values"]["guide_email"] for r in rows if r["values"].get("guide_email")})
    known = _Known({}, {}, {}, {})
    for part in _chunks(refs):
        found = await db.exec(
            select(Youth, User)
            .join(User, col(User.id) == col(Youth.user_id))
            .where(col(Youth.case_ref).in_(part))
        )
        for youth, person in found.all():
            assert youth.case_ref is not None
            known.youth_by_ref[youth.case_ref] = (youth, person)
    for part in _chunks(phones):
        found_ids = await db.exec(select(User.phone, User.id).where(col(User.phone).in_(part)))
        known.user_by_phone.update({str(p): int(i) for p, i in found_ids.all() if i})
    for part in _chunks(emails + guides):
        # Addresses are compared in lower case, as people type them (staff may be stored
        # as their IdP wrote them).
        found_users = await db.exec(
            select(User.email, User.id, User.role, User.is_active).where(
                func.lower(col(User.email)).in_(part)
            )
        )
        for stored, user_id, role, active in found_users.all():
            assert stored is not None and user_id is not None
            email = stored.lower()
            known.user_by_email[email] = user_id
            if role == Role.guide and active:
                known.guide_by_email[email] = user_id
    return known


def _plan(row: dict[str, Any], known: _Known) -> None:
    """Set the row's outcome (and what changes) from what the database holds now."""
    values = row["values"]
    row["changes"] = []
    found = known.youth_by_ref.get(values["case_ref"])
    own_user = found[1].id if found else None
    if values.get("phone") and known.user_by_phone.get(values["phone"], own_user) != own_user:
        _refuse(row, PHONE_TAKEN)
        return
    if values.get("email") and known.user_by_email.get(values["email"], own_user) != own_user:
        _refuse(row, EMAIL_TAKEN)
        return
    if found is None:
        if values["guide_email"] not in known.guide_by_email:
            _refuse(row, NO_GUIDE)
            return
        row["outcome"] = "new"
        return
    youth, person = found
    current = _current_values(youth, person)
    row["changes"] = [name for name, value in current.items() if values.get(name) != value]
    row["outcome"] = "updated" if row["changes"] else "unchanged"


def _current_values(youth: Youth, person: User) -> dict[str, str | None]:
    return {
        "name": person.name,
        "phone": person.phone,
        "email": person.email,
        "birth_date": youth.birth_date.isoformat(),
        "readiness_group": str(youth.readiness_group),
    }


def _refuse(row: dict[str, Any], reason: str, **params: object) -> None:
    row["outcome"], row["reason"], row["params"], row["changes"] = "error", reason, params, []


def _stored(row: Row) -> dict[str, Any]:
    return {
        "line": row.line,
        "values": row.values,
        "outcome": "error" if row.reason else "",
        "reason": row.reason,
        "params": row.params,
        "changes": [],
    }


async def preview(
    db: AsyncSession, *, actor: User | None, content: bytes, now: datetime
) -> YouthImport:
    """Read the file and store each row's outcome; nothing else is written."""
    _only_admins(actor)
    read = read_file(content, today=in_copenhagen(now).date())
    rows = [_stored(row) for row in read.rows]
    usable = [row for row in rows if row["outcome"] != "error"]
    known = await _known(db, usable)
    for row in usable:
        _plan(row, known)
    batch = YouthImport(
        created_by_id=actor.id if actor else None,
        file_sha256=hashlib.sha256(content).hexdigest(),
        rows=json.dumps(rows, ensure_ascii=False),
        total=len(rows),
        summary=json.dumps(_counts(rows)),
        created_at=now,
        expires_at=now + PREVIEW_TTL,
    )
    db.add(batch)
    await db.flush()
    log.info("youth import previewed", extra={"import_id": batch.id, "rows": batch.total})
    return batch


def _counts(rows: list[dict[str, Any]]) -> dict[str, int]:
    counts = dict.fromkeys(OUTCOMES, 0)
    for row in rows:
        counts[row["outcome"]] = counts.get(row["outcome"], 0) + 1
    return counts


async def get_import(db: AsyncSession, *, actor: User | None, import_id: int) -> YouthImport:
    _only_admins(actor)
    batch = await db.get(YouthImport, import_id, populate_existing=True)
    if batch is None:
        raise PreviewGone()
    return batch


async def confirm(
    db: AsyncSession, *, actor: User | None, import_id: int, file_sha256: str, now: datetime
) -> YouthImport:
    """Start applying what was previewed; a second confirm of the same import does nothing."""
    _only_admins(actor)
    started = await db.exec(
        update(YouthImport)  # type: ignore[call-overload]
        .where(
            col(YouthImport.id) == import_id,
            col(YouthImport.status) == ImportStatus.preview,
            col(YouthImport.file_sha256) == file_sha256,
            col(YouthImport.expires_at) > now,
        )
        .values(status=ImportStatus.applying)
    )
    batch = await get_import(db, actor=actor, import_id=import_id)
    if started.rowcount:
        await apply_next_chunk(db, import_id=import_id, now=now)
        return await get_import(db, actor=actor, import_id=import_id)
    if batch.file_sha256 != file_sha256:
        raise Conflict()
    if batch.status == ImportStatus.preview:
        raise PreviewGone()
    return batch  # confirmed before: the double submit sees the same import


async def apply_next_chunk(
    db: AsyncSession, *, import_id: int, now: datetime, size: int = CHUNK
) -> bool:
    """Apply the next rows of a confirmed import; True while rows remain. Only flushes.

    The conditional UPDATE on `applied` claims the chunk: a second worker that read the
    same progress updates nothing (on PostgreSQL it waits for the first one's commit).
    """
    batch = await db.get(YouthImport, import_id, populate_existing=True)
    if batch is None or batch.status != ImportStatus.applying:
        return False
    start = batch.applied
    end = min(start + size, batch.total)
    claimed = await db.exec(
        update(YouthImport)  # type: ignore[call-overload]
        .where(
            col(YouthImport.id) == import_id,
            col(YouthImport.status) == ImportStatus.applying,
            col(YouthImport.applied) == start,
        )
        .values(applied=end)
    )
    if not claimed.rowcount:
        return False
    rows = json.loads(batch.rows)
    part = rows[start:end]
    await _apply_rows(db, batch, part, now=now)
    for row in part:
        row.pop("values", None)  # applied: the line and outcome stay, the personal data goes
    batch = await db.get(YouthImport, import_id, populate_existing=True)
    assert batch is not None
    batch.rows = json.dumps(rows, ensure_ascii=False)
    batch.summary = json.dumps(_counts(rows))
    if end >= batch.total:
        await _finish(db, batch, rows, now=now)
    db.add(batch)
    await db.flush()
    return end < batch.total


async def _apply_rows(
    db: AsyncSession, batch: YouthImport, rows: list[dict[str, Any]], *, now: datetime
) -> None:
    usable = [row for row in rows if row["outcome"] != "error"]
    if not usable:
        return
    cadence = (await municipal_settings.current(db)).checkin_cadence_days
    known = await _known(db, usable)
    for row in usable:
        _plan(row, known)  # against the database as it is now
    new = [row for row in usable if row["outcome"] == "new"]
    one_by_one = [row for row in usable if row["outcome"] == "updated"]
    try:
        # The usual case in one go: a few multi-row inserts instead of three per person.
        async with db.begin_nested():
            await _create(db, new, known, batch=batch, cadence=cadence, now=now)
    except IntegrityError:
        # Someone registered one of them meanwhile: row by row, so only that row fails.
        known = await _known(db, usable)
        for row in usable:
            _plan(row, known)
        one_by_one = [row for row in usable if row["outcome"] in ("new", "updated")]
    for row in one_by_one:
        try:
            async with db.begin_nested():
                if row["outcome"] == "new":
                    await _create(db, [row], known, batch=batch, cadence=cadence, now=now)
                else:
                    await _update(db, row, known)
        except IntegrityError:
            _refuse(row, CHANGED_MEANWHILE)


async def _create(
    db: AsyncSession,
    rows: list[dict[str, Any]],
    known: _Known,
    *,
    batch: YouthImport,
    cadence: int,
    now: datetime,
) -> None:
    """New young people: the account, the course with the guide, the first guide period."""
    if not rows:
        return
    people = [
        User(
            role=Role.youth,
            name=row["values"]["name"],
            phone=row["values"].get("phone"),
            email=row["values"].get("email"),
            created_at=now,
        )
        for row in rows
    ]
    db.add_all(people)
    await db.flush()
    started_on = in_copenhagen(now).date()
    youths = []
    for row, person in zip(rows, people, strict=True):
        values = row["values"]
        assert person.id is not None
        youths.append(
            Youth(
                user_id=person.id,
                birth_date=date.fromisoformat(values["birth_date"]),
                readiness_group=ReadinessGroup(values["readiness_group"]),
                guide_id=known.guide_by_email[values["guide_email"]],
                course_started_on=started_on,
                checkin_cadence_days=cadence,
                case_ref=values["case_ref"],
                created_at=now,
            )
        )
    db.add_all(youths)
    await db.flush()
    db.add_all(
        [
            GuideAssignment(
                youth_id=youth.id or 0,
                guide_id=youth.guide_id or 0,
                started_at=now,
                assigned_by_id=batch.created_by_id,
            )
            for youth in youths
        ]
    )
    await db.flush()
    for row, person, youth in zip(rows, people, youths, strict=True):
        values = row["values"]
        for column, index in (("phone", known.user_by_phone), ("email", known.user_by_email)):
            if values.get(column):
                index[values[column]] = person.id or 0  # a later row with it is someone else
        known.youth_by_ref[values["case_ref"]] = (youth, person)


async def _update(db: AsyncSession, row: dict[str, Any], known: _Known) -> None:
    values = row["values"]
    youth, person = known.youth_by_ref[values["case_ref"]]
    for name in row["changes"]:
        if name in PERSON_FIELDS:
            setattr(person, name, values.get(name))
        elif name == "birth_date":
            youth.birth_date = date.fromisoformat(values["birth_date"])
        elif name == "readiness_group":
            youth.readiness_group = ReadinessGroup(values["readiness_group"])
    db.add(person)
    db.add(youth)
    await db.flush()


async def _finish(
    db: AsyncSession, batch: YouthImport, rows: list[dict[str, Any]], *, now: datetime
) -> None:
    batch.status = ImportStatus.done
    batch.finished_at = now
    actor = await db.get(User, batch.created_by_id) if batch.created_by_id else None
    await changes.record(
        db,
        actor=actor,
        action="youth.import",
        target=f"import:{batch.id}",
        after=_counts(rows),  # counts only: no names, numbers or references
        now=now,
    )
    log.info("youth import applied", extra={"import_id": batch.id, **_counts(rows)})


async def run_import_jobs(db: AsyncSession, now: datetime) -> int:
    """The worker's job: apply confirmed imports chunk by chunk, a commit each (reads only
    when there is nothing to do). Returns the chunks applied."""
    pending = (
        await db.exec(
            select(YouthImport.id)
            .where(col(YouthImport.status) == ImportStatus.applying)
            .order_by(col(YouthImport.id))
        )
    ).all()
    applied = 0
    for import_id in pending:
        assert import_id is not None
        more = True
        while more:
            more = await apply_next_chunk(db, import_id=import_id, now=now)
            await db.commit()
            applied += 1
    return applied


async def delete_expired_previews(db: AsyncSession, now: datetime) -> int:
    """Previews nobody confirmed hold personal data: the worker deletes them after a day."""
    result = await db.exec(
        delete(YouthImport).where(  # type: ignore[call-overload]
            col(YouthImport.status) == ImportStatus.preview, col(YouthImport.expires_at) <= now
        )
    )
    return int(result.rowcount or 0)


@dataclass(frozen=True)
class Line:
    """One row as the preview and the result show it."""

    line: int
    name: str
    outcome: str
    reason: str
    changes: list[str]


def lines(batch: YouthImport) -> list[Line]:
    """The rows in file order, each reason in the reader's language."""
    shown = []
    for row in json.loads(batch.rows):
        reason = ""
        if row.get("reason"):
            params = {
                key: gettext(value) if isinstance(value, str) else value
                for key, value in (row.get("params") or {}).items()
            }
            message: str = row["reason"]
            reason = gettext(message, **params)
        name = (row.get("values") or {}).get("name", "")
        shown.append(Line(row["line"], name, row["outcome"], reason, row.get("changes") or []))
    return shown


def counts(batch: YouthImport) -> dict[str, int]:
    return dict(json.loads(batch.summary or "{}"))
