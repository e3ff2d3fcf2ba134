"""The privacy notice and the accessibility statement: on Danish and English paths, in
the person's language, linked from the footer of every page, with the municipality's
facts from the admin settings and the retention period in force."""

from __future__ import annotations

from fastapi.routing import APIRoute, iter_route_contexts
from sqlmodel import select

from app.models import AdminChange, AppSetting, Role
from app.security.access import PUBLIC, policy_of
from app.security.sessions import cookie_name
from app.web.locale import LOCALE_COOKIE
from tests.factories.people import make_user, make_youth, sign_in, user_of
from tests.web.test_admin_staff import admin_signed_in
from tests.web.test_identity_invites import invite, invite_link

NOTICE_FORM = {
    "controller_name": "Fjordby Kommune",
    "controller_address": "Rådhuspladsen 1, 9999 Fjordby",
    "controller_contact": "kontakt@fjordby.example",
    "dpo_contact": "Mette Dam, dpo@fjordby.example",
    "accessibility_contact": "web@fjordby.example",
    "accessibility_reviewed_on": "2026-11-30",
    "accessibility_deviations": "Kortet over mødesteder kan ikke bruges med tastatur.",
}


async def test_all_four_paths_answer_in_the_persons_language(client):
    for path in ("/privatliv", "/privacy"):
        assert "<h1>Privatlivspolitik</h1>" in (await client.get(path)).text
    for path in ("/tilgaengelighed", "/accessibility"):
        assert "<h1>Tilgængelighedserklæring</h1>" in (await client.get(path)).text
    client.cookies.set(LOCALE_COOKIE, "en")
    for path in ("/privatliv", "/privacy"):
        page = (await client.get(path)).text
        assert "<h1>Privacy notice</h1>" in page and "Datatilsynet" in page
    for path in ("/tilgaengelighed", "/accessibility"):
        page = (await client.get(path)).text
        assert "<h1>Accessibility statement</h1>" in page and "Digitaliseringsstyrelsen" in page


async def test_the_notice_shows_the_retention_period_in_force(client, db):
    assert "60 måneder efter" in (await client.get("/privatliv")).text
    db.add(AppSetting(key="retention.months_after_course_end", value="36"))
    await db.flush()
    page = (await client.get("/privatliv")).text
    assert "36 måneder efter" in page and "60 måneder" not in page
    assert "Kommunen har ikke udfyldt det endnu." in page  # nothing filled in yet


async def test_the_admin_fills_in_the_municipalitys_part(client, db, settings, frozen_clock):
    await admin_signed_in(client, db, settings, frozen_clock)
    form = await client.get("/admin/settings/notices")
    assert form.status_code == 200 and 'name="dpo_contact"' in form.text
    saved = await client.post("/admin/settings/notices", data=NOTICE_FORM)
    assert saved.status_code == 303
    notice = (await client.get("/privatliv")).text
    for fact in ("Fjordby Kommune", "Rådhuspladsen 1", "dpo@fjordby.example"):
        assert fact in notice
    statement = (await client.get("/tilgaengelighed")).text
    assert "web@fjordby.example" in statement
    assert "30. november 2026" in statement
    assert "Kortet over mødesteder" in statement
    logged = await db.exec(select(AdminChange).where(AdminChange.target == "setting:dpo_contact"))
    assert logged.one().after == '{"value": "Mette Dam, dpo@fjordby.example"}'
    assert "Databeskyttelsesrådgiver" in (await client.get("/admin/changes")).text


async def test_a_wrong_review_date_is_refused_and_what_was_typed_is_kept(
    client, db, settings, frozen_clock
):
    await admin_signed_in(client, db, settings, frozen_clock)
    refused = await client.post(
        "/admin/settings/notices", data={**NOTICE_FORM, "accessibility_reviewed_on": "i går"}
    )
    assert refused.status_code == 422
    assert "Skriv en dato som 2026-03-31." in refused.text
    assert 'value="Fjordby Kommune"' in refused.text
    assert (await db.exec(select(AppSetting))).all() == []


async def test_only_admins_change_the_notice(client, db, settings, frozen_clock):
    guide = await make_user(db, Role.guide)
    await sign_in(client, db, guide, settings, frozen_clock.now)
    assert (await client.post("/admin/settings/notices", data=NOTICE_FORM)).status_code == 403


# Answers that are no page: the live message stream (it never ends), files, feeds.
NOT_PAGES = {"/messages/events", "/admin/audit.csv", "/reports/key-figures.csv", "/sw.js"}


def footer_links(page: str, locale: str = "da") -> bool:
    if locale == "en":
        return 'href="/privacy"' in page and 'href="/accessibility"' in page
    return 'href="/privatliv"' in page and 'href="/tilgaengelighed"' in page


async def test_every_page_links_to_both_notices(client, app, db, settings, frozen_clock):
    # Every page without a path parameter, for each role and signed out: a page has the
    # footer whatever its layout, because every page extends the one base layout.
    guide = await make_user(db, Role.guide)
    people = {
        "anonymous": None,
        Role.youth: await user_of(db, await make_youth(db, guide=guide)),
        Role.guide: guide,
        Role.leader: await make_user(db, Role.leader),
        Role.admin: await make_user(db, Role.admin),
    }
    pages = [
        c
        for c in iter_route_contexts(app.routes)
        if isinstance(c.original_route, APIRoute)
        and "GET" in c.methods
        and "{" not in c.path
        and c.path not in NOT_PAGES
    ]
    checked: dict[str, int] = {}
    missing = []
    for who, person in people.items():
        client.cookies.delete(cookie_name(settings))
        if person is not None:
            await sign_in(client, db, person, settings, frozen_clock.now)
        for route in pages:
            policy = policy_of(route.endpoint) or ()
            if not (PUBLIC in policy or who in policy):
                continue
            response = await client.get(route.path, headers={"Accept": "text/html"})
            if response.status_code != 200 or "<html" not in response.text:
                continue
            checked[str(who)] = checked.get(str(who), 0) + 1
            if not footer_links(response.text):
                missing.append(f"{who}: {route.path}")
    assert not missing, missing
    assert checked["anonymous"] >= 4 and all(checked[str(r)] >= 3 for r in Role), checked


async def test_english_pages_link_to_the_english_paths(client):
    client.cookies.set(LOCALE_COOKIE, "en")
    assert footer_links((await client.get("/login")).text, "en")


async def test_an_invited_young_person_gets_the_short_notice_then_a_welcome(
    client, db, settings, frozen_clock
):
    guide, _ = await invite(client, db, settings, frozen_clock)
    from app.models import User

    person = (await db.exec(select(User).where(User.phone == "+4520112233"))).one()
    path = "/invite/" + (await invite_link(db, person.id)).rsplit("/", 1)[1]
    client.cookies.delete(cookie_name(settings))
    page = (await client.get(path)).text
    assert "Sådan passer vi på dine data" in page and "60 måneder" in page
    accepted = await client.post(path)
    assert accepted.headers["location"] == "/me/welcome"
    welcome = (await client.get("/me/welcome")).text
    assert "Velkommen, Nadia" in welcome
    assert f"Din ungeguide er {guide.name}." in welcome
    assert "Sådan passer vi på dine data" in welcome
    assert "Log ud på alle enheder" not in welcome
    # The address invites used to land on goes to the welcome too.
    old = await client.get("/me/devices?welcome=1")
    assert old.status_code == 303 and old.headers["location"] == "/me/welcome"


async def test_the_short_notice_is_found_again_under_my_data(client, db, settings, frozen_clock):
    person = await user_of(db, await make_youth(db))
    await sign_in(client, db, person, settings, frozen_clock.now)
    page = (await client.get("/me/data")).text
    assert "Sådan passer vi på dine data" in page and 'href="/privatliv"' in page


async def test_a_first_sign_in_with_a_code_lands_on_the_welcome(client, db, settings):
    from tests.web.test_identity_youth_code_sign_in import ask_for_code, last_code

    person = await user_of(db, await make_youth(db))
    for expected in ("/me/welcome", "/"):  # the first time only
        client.cookies.delete(cookie_name(settings))
        await ask_for_code(client, person.phone)
        code = await last_code(db, person.id)
        signed_in = await client.post(
            "/login/code/verify", data={"address": person.phone, "code": code}
        )
        assert signed_in.headers["location"] == expected
