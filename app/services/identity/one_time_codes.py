"""Six-digit codes to a young person's phone or e-mail: to sign in, and to confirm a new
phone number or e-mail address (the code then goes to the old one).

A code lives 10 minutes and allows 5 tries; only its HMAC (with the secret key) is
stored and compared in constant time. Asking for a code answers the same whether or not
the address is known, after the same statements and hashing (`_issue`), so neither the
page nor the time it takes lets anybody test which numbers are young people's.

Parallel requests keep these rules: a try is counted, and a right code used up, by one
conditional UPDATE each (`_spend_try`, `_use_up`), so the fifth wrong try burns the code
however the tries arrive, and a right code sent twice at once signs in once. Checks are
limited per address as well as per IP, so many addresses cannot share out the guessing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, String, and_, cast, insert, literal, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.errors import ValidationFailed
from app.i18n import N_, gettext
from app.models import CodePurpose, Notification, OneTimeCode, Role, User
from app.security.rate_limit import check_rate
from app.services.identity.accounts import start_signed_in

log = logging.getLogger("trinvis.security")

CODE_TTL = timedelta(minutes=10)
MAX_TRIES = 5
REQUESTS_PER_ADDRESS = (3, timedelta(minutes=15))
REQUESTS_PER_IP = (20, timedelta(hours=1))
CHECKS_PER_IP = (30, timedelta(minutes=15))
# Three codes in 15 minutes (REQUESTS_PER_ADDRESS) with five tries each: a person who
# mistypes never meets this limit, a guesser spread over many IPs does.
CHECKS_PER_ADDRESS = (15, timedelta(minutes=15))
_PHONE = re.compile(r"^\+[1-9]\d{7,14}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

WRONG_CODE = N_("That code is not right or has run out. Check it, or ask for a new code.")


@dataclass(frozen=True)
class Address:
    """A normalised phone number (+45…) or e-mail address."""

    kind: str  # "phone" or "email"
    value: str

    @property
    def channel(self) -> str:
        return "sms" if self.kind == "phone" else "email"


def parse_address(raw: str | None) -> Address | None:
    """Read what a person typed as a phone number or e-mail address; None if neither."""
    text = (raw or "").strip()
    if "@" in text:
        email = text.lower()
        return Address("email", email) if _EMAIL.match(email) and len(email) <= 254 else None
    digits = re.sub(r"[\s\-().]", "", text)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if re.fullmatch(r"\d{8}", digits):  # a Danish number without the country code
        digits = "+45" + digits
    return Address("phone", digits) if _PHONE.match(digits) else None


def _digest(secret: str, message: str) -> str:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def code_hash(secret: str, *, user_id: int, purpose: str, code: str) -> str:
    return _digest(secret, f"code:{purpose}:{user_id}:{code}")


def address_key(secret: str, address: Address) -> str:
    """A rate-limit key for an address that does not store the address itself."""
    return _digest(secret, f"address:{address.value}")[:32]


async def _user_at(db: AsyncSession, address: Address) -> User | None:
    column = User.phone if address.kind == "phone" else User.email
    user = (await db.exec(select(User).where(column == address.value))).first()
    if user is None or user.role != Role.youth or not user.is_active:
        return None
    return user


# No person has id 0: the statements for an unknown address name it and match no row.
NOBODY = 0
_CODES = OneTimeCode.__table__  # type: ignore[attr-defined]
_NOTIFICATIONS = Notification.__table__  # type: ignore[attr-defined]


def _typed(table: Any, column: str, value: object) -> Any:
    return literal(value, type_=table.c[column].type)


async def _issue(
    db: AsyncSession,
    *,
    secret: str,
    user_id: int,
    purpose: str,
    channel: str,
    now: datetime,
    new_field: str | None = None,
    new_value: str | None = None,
) -> None:
    """Make a new code (the older ones stop working) and queue it to `channel`.

    The same statements and the same hashing run whether `user_id` is a person or
    `NOBODY`: each write is an INSERT ... SELECT from that person's row, which for
    nobody inserts nothing. So asking for a code takes as long for an unknown address
    as for a known one, and the answer time tells nobody who has an account. (This is
    why the notification is inserted here rather than with `outbox.enqueue`.)
    """
    await db.exec(
        update(OneTimeCode)
        .where(
            col(OneTimeCode.user_id) == user_id,
            col(OneTimeCode.purpose) == purpose,
            col(OneTimeCode.used_at).is_(None),
        )
        .values(used_at=now)
    )
    code = f"{secrets.randbelow(10**6):06d}"
    values = {
        "purpose": purpose,
        "channel": channel,
        "code_hash": code_hash(secret, user_id=user_id, purpose=purpose, code=code),
        "new_field": new_field,
        "new_value": new_value,
        "attempts": 0,
        "created_at": now,
        "expires_at": now + CODE_TTL,
    }
    person = select(
        col(User.id), *(_typed(_CODES, name, value) for name, value in values.items())
    ).where(col(User.id) == user_id)
    code_id = (
        await db.exec(
            insert(_CODES)
            .from_select(["user_id", *values], person)
            .returning(_CODES.c.id)
            .execution_options(synchronize_session=False)
        )
    ).first()
    params = {"code": code, "purpose": purpose, "minutes": int(CODE_TTL.total_seconds() // 60)}
    notice = {
        "kind": "auth.code",
        "channel": channel,
        "params": json.dumps(params, ensure_ascii=False, sort_keys=True),
        "urgent": True,
        "status": "pending",
        "created_at": now,
        "not_before": now,
        "attempts": 0,
    }
    the_code = select(
        _CODES.c.user_id,
        literal("auth.code:", String) + cast(_CODES.c.id, String),
        *(_typed(_NOTIFICATIONS, name, value) for name, value in notice.items()),
    ).where(_CODES.c.id == (code_id[0] if code_id else NOBODY))
    await db.exec(insert(_NOTIFICATIONS).from_select(["user_id", "dedupe_key", *notice], the_code))


async def request_sign_in_code(
    db: AsyncSession, *, secret: str, address: Address, ip: str, now: datetime
) -> None:
    """Send a code when the address belongs to a young person; say nothing either way."""
    await check_rate(
        db, key=f"code-ip:{ip}", limit=REQUESTS_PER_IP[0], window=REQUESTS_PER_IP[1], now=now
    )
    await check_rate(
        db,
        key=f"code-to:{address_key(secret, address)}",
        limit=REQUESTS_PER_ADDRESS[0],
        window=REQUESTS_PER_ADDRESS[1],
        now=now,
    )
    user = await _user_at(db, address)
    # The same work for an unknown address (see `_issue`), so the answer time tells nothing.
    await _issue(
        db,
        secret=secret,
        user_id=user.id if user is not None and user.id is not None else NOBODY,
        purpose=CodePurpose.sign_in,
        channel=address.channel,
        now=now,
    )
    log.info(
        "code requested",
        extra={"event": "code_requested", "user_id": user.id if user else None, "ip": ip},
    )


async def _check(
    db: AsyncSession, *, secret: str, user: User | None, purpose: str, code: str, now: datetime
) -> OneTimeCode | None:
    """The matching live code, used up; None (and one try spent) when it does not match."""
    row = None
    if user is not None:
        row = (
            await db.exec(
                select(OneTimeCode)
                .where(
                    OneTimeCode.user_id == user.id,
                    OneTimeCode.purpose == purpose,
                    _live(now),
                )
                .order_by(col(OneTimeCode.id).desc())
            )
        ).first()
    expected = row.code_hash if row is not None else _digest(secret, "no code")
    given = code_hash(
        secret, user_id=user.id if user and user.id else 0, purpose=purpose, code=code
    )
    if row is not None and hmac.compare_digest(given, expected):
        return row if await _use_up(db, row, now) else None
    if row is not None:
        await _spend_try(db, row, now)
    return None


def _live(now: datetime) -> ColumnElement[bool]:
    return and_(
        col(OneTimeCode.used_at).is_(None),
        col(OneTimeCode.expires_at) > now,
        col(OneTimeCode.attempts) < MAX_TRIES,
    )


async def _use_up(db: AsyncSession, row: OneTimeCode, now: datetime) -> bool:
    """Use the code, unless a parallel request used or burnt it first (then False).

    The UPDATE waits for such a request's row lock and then finds the code no longer live.
    """
    used = (
        await db.exec(
            update(OneTimeCode)
            .where(col(OneTimeCode.id) == row.id, _live(now))
            .values(used_at=now)
            .returning(col(OneTimeCode.used_at))
            .execution_options(synchronize_session=False)
        )
    ).first()
    if used is not None:
        set_committed_value(row, "used_at", used[0])
    return used is not None


async def _spend_try(db: AsyncSession, row: OneTimeCode, now: datetime) -> None:
    """Count a wrong try in the database (`attempts + 1`), never from what was read."""
    spent = (
        await db.exec(
            update(OneTimeCode)
            .where(col(OneTimeCode.id) == row.id, _live(now))
            .values(attempts=col(OneTimeCode.attempts) + 1)
            .returning(col(OneTimeCode.attempts))
            .execution_options(synchronize_session=False)
        )
    ).first()
    if spent is not None:
        set_committed_value(row, "attempts", spent[0])


@dataclass(frozen=True)
class CodeSignIn:
    user: User | None = None
    token: str | None = None


async def sign_in_with_code(
    db: AsyncSession,
    *,
    secret: str,
    address: Address,
    code: str,
    ip: str,
    device_label: str,
    now: datetime,
) -> CodeSignIn:
    """Sign in with the code; an empty result means wrong or expired (tries are counted).

    Returned, not raised: the spent try must be committed.
    """
    await check_rate(
        db, key=f"code-check:{ip}", limit=CHECKS_PER_IP[0], window=CHECKS_PER_IP[1], now=now
    )
    await check_rate(
        db,
        key=f"code-check-to:{address_key(secret, address)}",
        limit=CHECKS_PER_ADDRESS[0],
        window=CHECKS_PER_ADDRESS[1],
        now=now,
    )
    user = await _user_at(db, address)
    row = await _check(
        db, secret=secret, user=user, purpose=CodePurpose.sign_in, code=code, now=now
    )
    if row is None or user is None:
        log.warning(
            "sign-in refused",
            extra={
                "event": "sign_in_failed",
                "method": "code",
                "user_id": user.id if user else None,
                "ip": ip,
            },
        )
        return CodeSignIn()
    token = await start_signed_in(
        db, user=user, method="code", ip=ip, device_label=device_label, now=now
    )
    return CodeSignIn(user=user, token=token)


async def request_contact_change(
    db: AsyncSession, *, actor: User, secret: str, new: Address, ip: str, now: datetime
) -> str:
    """Ask to change phone or e-mail: a code goes to the old address. Returns its channel."""
    await check_rate(
        db, key=f"contact-change:{actor.id}", limit=5, window=timedelta(hours=1), now=now
    )
    current = actor.phone if new.kind == "phone" else actor.email
    if new.value == current:
        raise ValidationFailed(
            {"address": gettext("This is already your number or e-mail.")}, {"address": new.value}
        )
    if await _taken(db, new, actor):
        raise ValidationFailed(
            {"address": gettext("This number or e-mail is used by someone else.")},
            {"address": new.value},
        )
    # The code goes where the changed detail lives now; when there is none yet, to the other.
    if new.kind == "phone":
        channel = "sms" if actor.phone else "email"
    else:
        channel = "email" if actor.email else "sms"
    assert actor.id is not None
    await _issue(
        db,
        secret=secret,
        user_id=actor.id,
        purpose=CodePurpose.contact_change,
        channel=channel,
        new_field=new.kind,
        new_value=new.value,
        now=now,
    )
    log.info("contact change requested", extra={"event": "contact_change", "user_id": actor.id})
    return channel


async def _taken(db: AsyncSession, address: Address, actor: User) -> bool:
    column = User.phone if address.kind == "phone" else User.email
    other = (await db.exec(select(User.id).where(column == address.value))).first()
    return other is not None and other != actor.id


async def confirm_contact_change(
    db: AsyncSession, *, actor: User, secret: str, code: str, now: datetime
) -> bool:
    """Apply the change when the code from the old address is right. Returned, not raised."""
    row = await _check(
        db, secret=secret, user=actor, purpose=CodePurpose.contact_change, code=code, now=now
    )
    if row is None or row.new_field is None or row.new_value is None:
        return False
    address = Address(row.new_field, row.new_value)
    if await _taken(db, address, actor):
        return False
    setattr(actor, row.new_field, row.new_value)
    db.add(actor)
    await db.flush()
    log.info("contact changed", extra={"event": "contact_changed", "user_id": actor.id})
    return True


async def pending_contact_change(
    db: AsyncSession, *, actor: User, now: datetime
) -> OneTimeCode | None:
    return (
        await db.exec(
            select(OneTimeCode)
            .where(
                OneTimeCode.user_id == actor.id,
                OneTimeCode.purpose == CodePurpose.contact_change,
                _live(now),
            )
            .order_by(col(OneTimeCode.id).desc())
        )
    ).first()
