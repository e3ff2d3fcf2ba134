"""A young person registered by someone else in the very moment a chunk is applied (after
its check, before its insert): the chunk's multi-row insert fails, and the rows are then
applied one by one, so only that row becomes an error and the others are imported."""

from __future__ import annotations

from sqlmodel import select

from app.models import Role, User, Youth
from app.services.onboarding import youth_import
from tests.factories.onboarding import excel_csv, youth_rows
from tests.factories.people import make_user

GUIDE = "race.vejleder@kommune.dk"


async def test_a_race_in_a_chunk_fails_only_the_row_it_hits(db, frozen_clock, monkeypatch):
    admin = await make_user(db, Role.admin)
    await make_user(db, Role.guide, email=GUIDE)
    content = excel_csv(youth_rows(3, guide_email=GUIDE, start=700))
    batch = await youth_import.preview(db, actor=admin, content=content, now=frozen_clock.now)
    seen = youth_import._known

    async def registered_right_after_the_check(db_, rows):
        known = await seen(db_, rows)
        if not (await db_.exec(select(User).where(User.phone == "+4541000701"))).first():
            await make_user(db_, Role.youth, phone="+4541000701", email=None)
        return known

    monkeypatch.setattr(youth_import, "_known", registered_right_after_the_check)
    assert batch.id is not None
    done = await youth_import.confirm(
        db, actor=admin, import_id=batch.id, file_sha256=batch.file_sha256, now=frozen_clock.now
    )
    assert youth_import.counts(done) == {"new": 2, "updated": 0, "unchanged": 0, "error": 1}
    [refused] = [line for line in youth_import.lines(done) if line.outcome == "error"]
    assert refused.line == 3
    refs = (await db.exec(select(Youth.case_ref).where(Youth.case_ref.like("SAG-0007%")))).all()
    assert sorted(refs) == ["SAG-000700", "SAG-000702"]
