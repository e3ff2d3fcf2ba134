"""The municipality's settings: defaults without any row, validation next to the field,
every change in the admin change log, and each setting taking effect where it belongs."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import select

from app.models import AdminChange, AppSetting, Enrollment, Notification, Role, Youth
from app.notifications.rules import QUIET_HOURS_KEY, quiet_hours
from app.services.admin import municipal_settings
from app.services.messages import conversation
from tests.factories.followups import start_form
from tests.factories.people import make_user, make_youth, sign_in
from tests.web.test_admin_staff import admin_signed_in

DEFAULT_FORM = {
    "checkin_cadence_days": "30",
    "followup_first_gap_days": "7",
    "followup_interval_days": "14",
    "followup_length_months": "12",
    "quiet_start_hour": "22",
    "quiet_end_hour": "7",
    "sms_delay_minutes": "30",
    "unanswered_after_hours": "8",
    "help_lines": "",
    "retention_months": "60",
}


async def save(client, **changes: str):
    return await client.post("/admin/settings", data={**DEFAULT_FORM, **changes})


async def test_defaults_apply_when_nothing_is_stored(client, db, settings, frozen_clock):
    assert (await db.exec(select(AppSetting))).all() == []
    assert await municipal_settings.current(db) == municipal_settings.MunicipalSettings(
        checkin_cadence_days=30,
        followup_first_gap_days=7,
        followup_interval_days=14,
        followup_length_months=12,
        quiet_start_hour=22,
        quiet_end_hour=7,
        sms_delay_minutes=30,
        retention_months=60,
    )
    await admin_signed_in(client, db, settings, frozen_clock)
    page = await client.get("/admin/settings")
    assert page.status_code == 200
    assert 'name="retention_months" type="number" value="60"' in page.text
    assert 'name="followup_interval_days" type="number" value="14"' in page.text


async def test_a_broken_stored_value_falls_back_to_the_default(db):
    db.add(AppSetting(key="eftervend.interval_days", value='"fourteen"'))
    db.add(AppSetting(key="retention.months_after_course_end", value="2"))  # below the minimum
    db.add(AppSetting(key="checkins.default_cadence_days", value="45"))
    await db.flush()
    current = await municipal_settings.current(db)
    assert current.followup_interval_days == 14 and current.retention_months == 60
    assert current.checkin_cadence_days == 45


async def test_a_change_is_stored_and_audited_with_old_and_new_value(
    client, db, settings, frozen_clock
):
    admin = await admin_signed_in(client, db, settings, frozen_clock)
    response = await save(client, followup_interval_days="21", retention_months="36")
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/settings?saved=1"
    current = await municipal_settings.current(db)
    assert current.followup_interval_days == 21 and current.retention_months == 36
    rows = (await db.exec(select(AdminChange).where(AdminChange.action == "setting.change"))).all()
    by_target = {row.target: row for row in rows}
    assert set(by_target) == {"setting:followup_interval_days", "setting:retention_months"}
    change = by_target["setting:followup_interval_days"]
    assert change.actor_id == admin.id and change.at == frozen_clock.now
    assert json.loads(change.before) == {"value": 14} and json.loads(change.after) == {"value": 21}
    saved = await client.get("/admin/settings?saved=1")
    assert "Indstillingerne er gemt." in saved.text
    log = await client.get("/admin/changes")
    assert "Derefter opfølgning hver (dage)" in log.text and "14 → 21" in log.text
    # Saving the same values again changes nothing and logs nothing.
    await save(client, followup_interval_days="21", retention_months="36")
    assert len((await db.exec(select(AdminChange))).all()) == 2


async def test_invalid_values_are_explained_next_to_the_field(client, db, settings, frozen_clock):
    await admin_signed_in(client, db, settings, frozen_clock)
    response = await save(client, followup_interval_days="3", sms_delay_minutes="lots")
    assert response.status_code == 422
    assert "Tallet skal være mindst 7." in response.text
    assert 'aria-describedby="followup_interval_days-hint followup_interval_days-error"' in (
        response.text
    )
    assert 'value="lots"' in response.text and "Skriv et helt tal." in response.text
    response = await save(client, quiet_start_hour="22", quiet_end_hour="22")
    assert response.status_code == 422
    assert "Stilletiden skal slutte på et andet klokkeslæt" in response.text
    assert (await db.exec(select(AppSetting))).all() == []
    assert (await db.exec(select(AdminChange))).all() == []


async def test_htmx_gets_only_the_form_back(client, db, settings, frozen_clock):
    await admin_signed_in(client, db, settings, frozen_clock)
    response = await client.post(
        "/admin/settings",
        data={**DEFAULT_FORM, "retention_months": "500"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert response.text.lstrip().startswith('<form class="stack" id="settings-form"')
    assert "<html" not in response.text and "Tallet må højst være 120." in response.text
    ok = await client.post("/admin/settings", data=DEFAULT_FORM, headers={"HX-Request": "true"})
    assert ok.status_code == 204 and "/admin/settings?saved=1" in ok.headers["HX-Location"]


async def test_quiet_hours_are_stored_where_the_worker_reads_them(
    client, db, settings, frozen_clock
):
    await admin_signed_in(client, db, settings, frozen_clock)
    await save(client, quiet_start_hour="21", quiet_end_hour="8")
    row = await db.get(AppSetting, QUIET_HOURS_KEY)
    assert json.loads(row.value) == {"start": "21:00", "end": "08:00"}
    hours = await quiet_hours(db)
    assert (hours.start, hours.end) == (time(21), time(8))
    # 21:30 Copenhagen time (winter) is quiet now: held until 08:00.
    evening = datetime(2026, 3, 2, 20, 30, tzinfo=UTC)
    assert hours.until(evening) == datetime(2026, 3, 3, 7, 0, tzinfo=UTC)


async def test_the_sms_delay_and_quiet_hours_decide_when_an_unread_message_is_texted(
    client, db, settings, frozen_clock
):
    await admin_signed_in(client, db, settings, frozen_clock)
    await save(client, sms_delay_minutes="90", quiet_start_hour="23", quiet_end_hour="6")
    guide = await make_user(db, Role.guide)
    youth = await make_youth(db, guide=guide)
    noon = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)
    await conversation.send(
        db, actor=guide, youth_id=youth.id, body="Hej", client_key="k" * 16, now=noon
    )
    sms = (
        await db.exec(
            select(Notification).where(
                Notification.user_id == youth.user_id, Notification.channel == "sms"
            )
        )
    ).one()
    assert sms.not_before == noon + timedelta(minutes=90)
    # 22:30 Copenhagen: no longer quiet with quiet hours from 23, so no holding back.
    late = datetime(2026, 3, 2, 21, 30, tzinfo=UTC)
    await conversation.send(
        db, actor=guide, youth_id=youth.id, body="Hej", client_key="l" * 16, now=late
    )
    push = (
        await db.exec(
            select(Notification)
            .where(Notification.user_id == youth.user_id, Notification.channel.is_(None))
            .order_by(Notification.id.desc())
        )
    ).first()
    assert push.not_before == late


async def test_a_new_start_uses_the_municipal_eftervend_defaults(
    client, db, settings, frozen_clock
):
    await admin_signed_in(client, db, settings, frozen_clock)
    await save(
        client,
        followup_first_gap_days="10",
        followup_interval_days="28",
        followup_length_months="6",
    )
    guide = await make_user(db, Role.guide)
    youth = await make_youth(db, guide=guide)
    from app.services.followups.enrollments import register_start

    form = start_form(date(2026, 3, 2), first_gap_days=None, interval_days=None, length_months=None)
    enrollment = await register_start(
        db, actor=guide, youth_id=youth.id, form=form, now=frozen_clock.now
    )
    assert (enrollment.first_gap_days, enrollment.interval_days, enrollment.length_months) == (
        10,
        28,
        6,
    )
    # The guide's form starts from the same defaults.
    await sign_in(client, db, guide, settings, frozen_clock.now)
    page = await client.get(f"/guide/youth/{youth.id}/followups")
    assert 'name="interval_days" type="number" value="28"' in page.text
    stored = (await db.exec(select(Enrollment).where(Enrollment.youth_id == youth.id))).one()
    assert stored.interval_days == 28


async def test_a_young_person_invited_later_gets_the_municipal_check_in_cadence(
    client, db, settings, frozen_clock
):
    await admin_signed_in(client, db, settings, frozen_clock)
    await save(client, checkin_cadence_days="45")
    guide = await make_user(db, Role.guide)
    await sign_in(client, db, guide, settings, frozen_clock.now)
    response = await client.post(
        "/guide/invite",
        data={
            "name": "Nadia Holm",
            "birth_date": "2007-04-02",
            "readiness_group": "activity_ready",
            "phone": "20 11 22 44",
            "client_key": "invite-key-admin-1",
        },
    )
    assert response.status_code == 303
    youth = (await db.exec(select(Youth).where(Youth.guide_id == guide.id))).one()
    assert youth.checkin_cadence_days == 45


async def test_the_municipalitys_help_lines_replace_the_defaults_by_age(
    client, db, settings, frozen_clock
):
    from app.services.messages.availability import help_lines

    await admin_signed_in(client, db, settings, frozen_clock)
    today = frozen_clock.now.date()
    before = await help_lines(db, birth_date=date(2000, 1, 1), today=today)
    assert [line.number for line in before] == ["112", "70 201 201", "39 25 25 25"]

    own = "Alarm | 112\nFjordby Ungerådgivning | +45 70 10 20 30\nUng-linjen | 33 33 33 33 | 18"
    assert (await save(client, help_lines=own)).status_code == 303
    adult = await help_lines(db, birth_date=date(2000, 1, 1), today=today)
    child = await help_lines(db, birth_date=date(today.year - 16, 1, 1), today=today)
    assert [line.name for line in adult] == ["Alarm", "Fjordby Ungerådgivning"]
    assert [line.number for line in child][-1] == "33 33 33 33"
    page = await client.get("/admin/settings")
    assert "Ung-linjen | 33 33 33 33 | 18" in page.text

    # Emptied again: the Danish defaults are back.
    assert (await save(client, help_lines="")).status_code == 303
    again = await help_lines(db, birth_date=date(2000, 1, 1), today=today)
    assert [line.number for line in again] == ["112", "70 201 201", "39 25 25 25"]


async def test_a_help_line_without_a_number_is_refused_and_kept_as_typed(
    client, db, settings, frozen_clock
):
    await admin_signed_in(client, db, settings, frozen_clock)
    response = await save(client, help_lines="Alarm | 112\nRing til os | hurtigt")
    assert response.status_code == 422
    assert "Et nummer må kun have cifre" in response.text
    assert "Ring til os | hurtigt" in response.text
    assert (await db.exec(select(AppSetting))).all() == []


async def test_the_unanswered_limit_is_set_in_working_hours(client, db, settings, frozen_clock):
    from app.services.messages.availability import unanswered_limit_minutes

    await admin_signed_in(client, db, settings, frozen_clock)
    assert await unanswered_limit_minutes(db) == 8 * 60
    assert (await save(client, unanswered_after_hours="4")).status_code == 303
    assert await unanswered_limit_minutes(db) == 4 * 60
    assert (await save(client, unanswered_after_hours="0")).status_code == 422
