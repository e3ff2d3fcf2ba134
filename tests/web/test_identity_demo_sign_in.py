import pytest
from sqlmodel import select

from app.demo import load_demo_data
from app.models import Role, User
from tests.factories.people import T0, ensure_csrf


@pytest.fixture
async def demo(db):
    await load_demo_data(db, now=T0)


async def test_login_page_offers_a_demo_sign_in_for_every_role(client, demo):
    page = (await client.get("/login")).text
    for role in ("youth", "guide", "leader", "admin"):
        assert f'data-role="{role}"' in page


async def test_login_page_hides_demo_sign_ins_outside_demo_mode(client, app, demo):
    app.state.settings.demo_mode = False
    page = (await client.get("/login")).text
    assert "data-role=" not in page


@pytest.mark.parametrize(
    ("role", "landing_text"),
    [
        (Role.youth, "Min ungeguide"),
        (Role.guide, "Mine unge"),
        (Role.leader, "Sagsstammer"),
        (Role.admin, "Medarbejdere"),
    ],
)
async def test_every_role_can_sign_in_with_the_demo(client, db, demo, role, landing_text):
    user = (await db.exec(select(User).where(User.role == role))).first()
    await ensure_csrf(client)
    response = await client.post("/demo/sign-in", data={"user_id": user.id, "next": "/"})
    assert response.status_code == 303
    home = await client.get("/")
    assert home.status_code == 200
    assert landing_text in home.text


async def test_demo_sign_in_is_refused_outside_demo_mode(client, app, db, demo):
    app.state.settings.demo_mode = False
    user = (await db.exec(select(User).where(User.role == Role.admin))).first()
    await ensure_csrf(client)
    response = await client.post("/demo/sign-in", data={"user_id": user.id})
    assert response.status_code == 403
    assert (await client.get("/")).status_code in (303, 401)


async def test_signing_out_ends_the_session(client, db, demo):
    user = (await db.exec(select(User).where(User.role == Role.guide))).first()
    await ensure_csrf(client)
    await client.post("/demo/sign-in", data={"user_id": user.id})
    assert (await client.get("/")).status_code == 200
    assert (await client.post("/logout")).status_code == 303
    assert (await client.get("/", headers={"Accept": "text/html"})).status_code == 303


async def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = await client.get("/", headers={"Accept": "text/html"})
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/"


async def test_my_devices_names_a_demo_sign_in_as_people_recognise_it(client, db, demo):
    """Not the raw User-Agent (issue 19 #11): "Chrome · Android", as for passkeys."""
    user = (await db.exec(select(User).where(User.role == Role.youth))).first()
    phone = (
        "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/126.0.0.0 Mobile Safari/537.36"
    )
    client.headers["User-Agent"] = phone
    await ensure_csrf(client)
    await client.post("/demo/sign-in", data={"user_id": user.id, "next": "/"})
    page = await client.get("/me/devices")
    assert "Chrome · Android" in page.text
    assert "Mozilla" not in page.text and "AppleWebKit" not in page.text
