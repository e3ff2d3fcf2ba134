"""An import confirmed many times at once imports once, and a bulk invite sent many
times at once invites each young person once (one invite, one notification)."""

from __future__ import annotations

from sqlmodel import col, func, select

from app.clock import utcnow
from app.models import Invite, Notification, Role, User, Youth
from app.services.onboarding import youth_import
from tests.factories.onboarding import excel_csv, youth_rows
from tests.factories.people import make_team, make_user
from tests.parallel.conftest import PARALLEL, at_once, committed, http_clients, statuses


async def _guide_with_young_people(db, count: int) -> tuple[User, list[str]]:
    """A guide in a team of its own, and an import of `count` young people previewed."""
    team = await make_team(db)
    guide = await make_user(db, Role.guide, team_id=team.id)
    assert guide.email is not None and guide.id is not None
    rows = youth_rows(count, guide_email=guide.email, start=guide.id * 100)
    refs = [row[6] for row in rows]
    return guide, refs


async def test_a_confirm_sent_at_once_imports_once(real_app, real_engine):
    async with committed(real_engine) as db:
        admin = await make_user(db, Role.admin)
        guide, refs = await _guide_with_young_people(db, 3)
        content = excel_csv(youth_rows(3, guide_email=guide.email or "", start=guide.id * 100))
        batch = await youth_import.preview(db, actor=admin, content=content, now=utcnow())
    form = {"file_sha256": batch.file_sha256}
    async with http_clients(real_app, PARALLEL, user=admin) as browsers:
        answers = await at_once(
            browsers, lambda http, _n: http.post(f"/admin/import/{batch.id}/confirm", data=form)
        )
    assert statuses(answers) == [303] * PARALLEL
    async with committed(real_engine) as db:
        found = await db.exec(
            select(func.count()).select_from(Youth).where(col(Youth.case_ref).in_(refs))
        )
        assert found.one() == 3
        done = await youth_import.get_import(db, actor=admin, import_id=batch.id or 0)
        assert youth_import.counts(done)["new"] == 3 and done.status == "done"


async def test_a_bulk_invite_sent_at_once_invites_each_young_person_once(real_app, real_engine):
    async with committed(real_engine) as db:
        admin = await make_user(db, Role.admin)
        guide, refs = await _guide_with_young_people(db, 4)
        content = excel_csv(youth_rows(4, guide_email=guide.email or "", start=guide.id * 100))
        batch = await youth_import.preview(db, actor=admin, content=content, now=utcnow())
        assert batch.id is not None
        await youth_import.confirm(
            db, actor=admin, import_id=batch.id, file_sha256=batch.file_sha256, now=utcnow()
        )
        leader = await make_user(db, Role.leader, team_id=guide.team_id)
    async with http_clients(real_app, PARALLEL, user=leader) as browsers:
        answers = await at_once(browsers, lambda http, _n: http.post("/leader/invites"))
    assert statuses(answers) == [303] * PARALLEL
    invited = sum(int(a.headers["location"].rsplit("=", 1)[1]) for a in answers)
    assert invited == 4
    async with committed(real_engine) as db:
        people = select(Youth.user_id).where(col(Youth.case_ref).in_(refs))
        invites = await db.exec(
            select(func.count()).select_from(Invite).where(col(Invite.user_id).in_(people))
        )
        sent = await db.exec(
            select(func.count())
            .select_from(Notification)
            .where(col(Notification.user_id).in_(people), Notification.kind == "auth.invite")
        )
        assert (invites.one(), sent.one()) == (4, 4)
