"""An admin imports young people from the case system's file: a preview first, nothing
written until the confirm, the confirm applying exactly what was previewed (once), and a
second import of the same file changing nothing."""

from __future__ import annotations

import json
import re
import time
from datetime import timedelta

import pytest
from sqlmodel import col, func, select

from app.models import AdminChange, GuideAssignment, Role, User, Youth, YouthImport
from app.services.onboarding.youth_import import delete_expired_previews, run_import_jobs
from tests.factories.onboarding import excel_csv, youth_rows
from tests.factories.people import make_user, sign_in
from tests.web.test_admin_staff import admin_signed_in

GUIDE = "rikke.vejleder@kommune.dk"
IMPORT_PAGE = re.compile(r"/admin/import/(\d+)$")


async def _guide(db) -> User:
    return await make_user(db, Role.guide, name="Rikke Vejleder", email=GUIDE)


async def _youth_count(db) -> int:
    return (await db.exec(select(func.count()).select_from(Youth))).one()


async def upload(client, content: bytes, name: str = "unge.csv") -> tuple[int, str]:
    """Upload the file; the import's id and its preview page."""
    response = await client.post(
        "/admin/import", files={"file": (name, content, "text/csv")}, data={}
    )
    assert response.status_code == 303, response.text
    import_id = int(IMPORT_PAGE.search(response.headers["location"]).group(1))
    page = await client.get(f"/admin/import/{import_id}")
    assert page.status_code == 200
    return import_id, page.text


async def confirm(client, db, import_id: int, frozen_clock) -> str:
    """Confirm, let the worker apply the rest, and return the result page."""
    batch = await db.get(YouthImport, import_id)
    response = await client.post(
        f"/admin/import/{import_id}/confirm", data={"file_sha256": batch.file_sha256}
    )
    assert response.status_code == 303
    await db.commit()
    await run_import_jobs(db, frozen_clock.now)
    return (await client.get(f"/admin/import/{import_id}")).text


def counted(page: str) -> dict[str, int]:
    found = re.findall(r"(Ny|Opdateret|Uændret|Fejl): (\d+)</span>", page)
    return {label: int(n) for label, n in found}


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8-sig"])
async def test_500_rows_from_danish_excel_import_once_and_again_change_nothing(
    client, db, settings, frozen_clock, encoding
):
    await _guide(db)
    await admin_signed_in(client, db, settings, frozen_clock)
    content = excel_csv(youth_rows(500, guide_email=GUIDE), encoding=encoding)
    before = await _youth_count(db)

    started = time.perf_counter()  # outside clock: measures how long the import takes
    import_id, preview = await upload(client, content)
    assert counted(preview) == {"Ny": 500, "Opdateret": 0, "Uændret": 0, "Fejl": 0}
    assert "Søren Æbelø 0" in preview and "Åse Møller 1" in preview
    assert await _youth_count(db) == before  # the preview writes no young person

    result = await confirm(client, db, import_id, frozen_clock)
    took = time.perf_counter() - started  # outside clock: measures the import
    assert "Importen er færdig." in result
    assert counted(result) == {"Ny": 500, "Opdateret": 0, "Uændret": 0, "Fejl": 0}
    assert await _youth_count(db) == before + 500
    assert "Søren Æbelø" not in result  # once applied, the rows keep no personal data
    print(f"500 rows ({encoding}): preview + confirm + apply in {took:.2f} s")

    again_id, again = await upload(client, content)
    assert counted(again) == {"Ny": 0, "Opdateret": 0, "Uændret": 500, "Fejl": 0}
    await confirm(client, db, again_id, frozen_clock)
    assert await _youth_count(db) == before + 500

    logged = (await db.exec(select(AdminChange).where(AdminChange.action == "youth.import"))).all()
    assert [json.loads(c.after) for c in logged] == [
        {"new": 500, "updated": 0, "unchanged": 0, "error": 0},
        {"new": 0, "updated": 0, "unchanged": 500, "error": 0},
    ]
    assert all("SAG-" not in c.after + c.before + c.target_label for c in logged)


async def test_a_changed_phone_updates_the_person_and_a_bad_row_blocks_no_one(
    client, db, settings, frozen_clock
):
    guide = await _guide(db)
    await admin_signed_in(client, db, settings, frozen_clock)
    rows = youth_rows(3, guide_email=GUIDE)
    first_id, _ = await upload(client, excel_csv(rows))
    await confirm(client, db, first_id, frozen_clock)

    rows[1][1] = "29 99 88 77"  # a new number in the case system
    rows[2][3] = "32.13.2006"  # a typo
    rows.append(youth_rows(1, guide_email="ukendt@kommune.dk", start=3)[0])  # no such guide
    import_id, preview = await upload(client, excel_csv(rows))
    assert counted(preview) == {"Ny": 0, "Opdateret": 1, "Uændret": 1, "Fejl": 2}
    assert "Mobilnummer" in preview  # what changes
    assert re.search(r">4</td>.*?Fødselsdatoen mangler", preview, re.S)  # line 4's reason
    assert "Ingen aktiv vejleder i Trinvis har denne e-mail." in preview
    await confirm(client, db, import_id, frozen_clock)

    found = (await db.exec(select(User).where(User.phone == "+4529998877"))).one()
    assert found.name == "Åse Møller 1"
    youth = (await db.exec(select(Youth).where(Youth.user_id == found.id))).one()
    assert youth.case_ref == "SAG-000001" and youth.guide_id == guide.id
    assignments = await db.exec(
        select(func.count())
        .select_from(GuideAssignment)
        .where(GuideAssignment.youth_id == youth.id)
    )
    assert assignments.one() == 1
    # The admin corrects the row and imports again: only it changes.
    rows[2][3] = "31.12.2006"
    _fixed_id, fixed = await upload(client, excel_csv(rows))
    assert counted(fixed) == {"Ny": 0, "Opdateret": 1, "Uændret": 2, "Fejl": 1}


async def test_a_double_submitted_confirm_imports_once(client, db, settings, frozen_clock):
    await _guide(db)
    await admin_signed_in(client, db, settings, frozen_clock)
    import_id, _ = await upload(client, excel_csv(youth_rows(150, guide_email=GUIDE)))
    batch = await db.get(YouthImport, import_id)
    form = {"file_sha256": batch.file_sha256}
    before = await _youth_count(db)
    first = await client.post(f"/admin/import/{import_id}/confirm", data=form)
    second = await client.post(f"/admin/import/{import_id}/confirm", data=form)
    assert first.status_code == second.status_code == 303
    progress = await client.get(f"/admin/import/{import_id}")
    assert "Importerer: 100 af 150 rækker" in progress.text  # the first chunk, in the request
    assert 'hx-trigger="every 1s"' in progress.text
    polled = await client.get(f"/admin/import/{import_id}", headers={"HX-Request": "true"})
    assert "<html" not in polled.text  # htmx gets the partial it swaps
    assert 'id="import-state"' in polled.text
    await db.commit()
    await run_import_jobs(db, frozen_clock.now)
    await run_import_jobs(db, frozen_clock.now)
    assert await _youth_count(db) == before + 150
    refs = (await db.exec(select(func.count(col(Youth.case_ref).distinct())))).one()
    assert refs >= 150


async def test_a_confirm_for_another_file_is_refused(client, db, settings, frozen_clock):
    await _guide(db)
    await admin_signed_in(client, db, settings, frozen_clock)
    import_id, _ = await upload(client, excel_csv(youth_rows(2, guide_email=GUIDE)))
    response = await client.post(
        f"/admin/import/{import_id}/confirm", data={"file_sha256": "0" * 64}
    )
    assert response.status_code == 409
    assert (await db.get(YouthImport, import_id)).status == "preview"


async def test_a_file_that_is_not_csv_is_refused_next_to_the_field(
    client, db, settings, frozen_clock
):
    await admin_signed_in(client, db, settings, frozen_clock)
    response = await client.post(
        "/admin/import", files={"file": ("unge.xlsx", b"PK\x03\x04...", "application/zip")}
    )
    assert response.status_code == 422
    assert "Det er en Excel-projektmappe, ikke en CSV-fil." in response.text
    assert (await db.exec(select(func.count()).select_from(YouthImport))).one() == 0


@pytest.mark.parametrize("role", [Role.guide, Role.leader])
async def test_only_admins_import(client, db, settings, frozen_clock, role):
    await sign_in(client, db, await make_user(db, role), settings, frozen_clock.now)
    assert (await client.get("/admin/import")).status_code == 403
    response = await client.post(
        "/admin/import", files={"file": ("unge.csv", excel_csv(youth_rows(1, guide_email=GUIDE)))}
    )
    assert response.status_code == 403


async def test_a_preview_nobody_confirms_is_deleted_after_a_day(client, db, settings, frozen_clock):
    await _guide(db)
    await admin_signed_in(client, db, settings, frozen_clock)
    import_id, _ = await upload(client, excel_csv(youth_rows(2, guide_email=GUIDE)))
    assert await delete_expired_previews(db, frozen_clock.now + timedelta(hours=23)) == 0
    assert await delete_expired_previews(db, frozen_clock.now + timedelta(hours=24)) == 1
    assert await db.get(YouthImport, import_id) is None
    batch_page = await client.get(f"/admin/import/{import_id}")
    assert batch_page.status_code == 404
    assert "Forhåndsvisningen er udløbet. Upload filen igen." in batch_page.text


async def test_a_number_taken_between_preview_and_confirm_fails_only_its_row(
    client, db, settings, frozen_clock
):
    await _guide(db)
    await admin_signed_in(client, db, settings, frozen_clock)
    import_id, preview = await upload(client, excel_csv(youth_rows(3, guide_email=GUIDE)))
    assert counted(preview)["Ny"] == 3
    await make_user(db, Role.youth, phone="+4541000001", email=None)  # a guide's invite meanwhile
    result = await confirm(client, db, import_id, frozen_clock)
    assert counted(result) == {"Ny": 2, "Opdateret": 0, "Uændret": 0, "Fejl": 1}
    assert "Mobilnummeret tilhører en anden i Trinvis." in result


async def test_the_guides_e_mail_matches_whatever_its_case(client, db, settings, frozen_clock):
    await make_user(db, Role.guide, email="Rikke.Vejleder@Kommune.dk")  # as an IdP wrote it
    await admin_signed_in(client, db, settings, frozen_clock)
    _import_id, preview = await upload(client, excel_csv(youth_rows(2, guide_email=GUIDE)))
    assert counted(preview) == {"Ny": 2, "Opdateret": 0, "Uændret": 0, "Fejl": 0}
