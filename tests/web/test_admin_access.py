"""Admins add staff, end anyone's sessions, and export the audit log for a period."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from sqlmodel import select

from app.models import Role, User, UserSession
from app.security.audit import open_youth
from app.security.sessions import start_session
from tests.factories.people import make_user, make_youth, sign_in


async def admin_signed_in(client, db, settings, frozen_clock) -> User:
    admin = await make_user(db, Role.admin)
    await sign_in(client, db, admin, settings, frozen_clock.now)
    return admin


async def test_admin_adds_a_staff_member_by_e_mail(client, db, settings, frozen_clock):
    await admin_signed_in(client, db, settings, frozen_clock)
    response = await client.post(
        "/admin/staff", data={"name": "Mette Leder", "email": "Mette@Kommune.dk", "role": "leader"}
    )
    assert response.status_code == 303
    added = (await db.exec(select(User).where(User.email == "mette@kommune.dk"))).one()
    assert added.role == Role.leader and added.oidc_sub is None
    assert "Mette Leder" in (await client.get("/admin/staff")).text


async def test_the_staff_form_explains_errors(client, db, settings, frozen_clock):
    await admin_signed_in(client, db, settings, frozen_clock)
    await make_user(db, Role.guide, email="taken@kommune.dk")
    response = await client.post(
        "/admin/staff", data={"name": "X", "email": "taken@kommune.dk", "role": "guide"}
    )
    assert response.status_code == 422
    assert "En anden har allerede denne e-mailadresse." in response.text
    response = await client.post(
        "/admin/staff", data={"name": "X", "email": "nope", "role": "boss"}
    )
    assert response.status_code == 422
    assert 'value="nope"' in response.text


async def test_admin_ends_a_users_sessions(client, db, settings, frozen_clock):
    await admin_signed_in(client, db, settings, frozen_clock)
    guide = await make_user(db, Role.guide)
    await start_session(db, user=guide, now=frozen_clock.now)
    await start_session(db, user=guide, now=frozen_clock.now)
    response = await client.post(f"/admin/users/{guide.id}/end-sessions")
    assert response.status_code == 303
    sessions = (await db.exec(select(UserSession).where(UserSession.user_id == guide.id))).all()
    assert len(sessions) == 2 and all(s.ended_at for s in sessions)


async def test_only_admins_end_sessions(client, db, settings, frozen_clock):
    leader = await make_user(db, Role.leader)
    await sign_in(client, db, leader, settings, frozen_clock.now)
    guide = await make_user(db, Role.guide)
    assert (await client.post(f"/admin/users/{guide.id}/end-sessions")).status_code == 403


async def test_ending_sessions_of_an_unknown_user_is_not_found(client, db, settings, frozen_clock):
    await admin_signed_in(client, db, settings, frozen_clock)
    assert (await client.post("/admin/users/999999/end-sessions")).status_code == 404


async def test_audit_log_export_for_a_period(client, db, settings, frozen_clock):
    await admin_signed_in(client, db, settings, frozen_clock)
    guide = await make_user(db, Role.guide, name="=HYPERLINK(evil)")
    youth = await make_youth(db, guide=guide)
    now = frozen_clock.now
    await open_youth(db, actor=guide, youth_id=youth.id, action="plan.view", now=now)
    await open_youth(
        db, actor=guide, youth_id=youth.id, action="plan.view", now=now - timedelta(days=40)
    )
    day = now.date().isoformat()
    response = await client.get(f"/admin/audit.csv?from={day}&to={day}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0][:3] == ["time_utc", "staff_id", "staff_name"]
    assert rows[0][-1] == "detail"
    assert len(rows) == 3
    assert rows[1][2] == "'=HYPERLINK(evil)"  # no spreadsheet formulas
    assert rows[1][4] == str(youth.id) and rows[1][5] == "plan.view"
    # The download is itself a use of the log: it is in the log, with its period.
    assert rows[2][3:] == ["admin", "", "audit.export", "", f"{day}/{day}"]
    again = await client.get(f"/admin/audit.csv?from={day}&to={day}")
    assert len(list(csv.reader(io.StringIO(again.text)))) == 4


async def test_audit_export_validates_the_dates(client, db, settings, frozen_clock):
    await admin_signed_in(client, db, settings, frozen_clock)
    bad = await client.get("/admin/audit.csv?from=2026-03-10&to=2026-03-01")
    assert bad.status_code == 422 and "Slutdatoen" in bad.text
    bad = await client.get("/admin/audit.csv?from=yesterday&to=2026-03-01")
    assert bad.status_code == 422 and 'value="yesterday"' in bad.text
    bad = await client.get("/admin/audit.csv?from=2024-01-01&to=2026-03-01")
    assert bad.status_code == 422
    assert (await client.get("/admin/audit")).status_code == 200


async def test_guides_cannot_export_the_audit_log(client, db, settings, frozen_clock):
    guide = await make_user(db, Role.guide)
    await sign_in(client, db, guide, settings, frozen_clock.now)
    assert (await client.get("/admin/audit.csv?from=2026-03-01&to=2026-03-02")).status_code == 403
