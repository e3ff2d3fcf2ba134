"""/metrics: what operators see, who may see it, and that it names nobody."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db import make_engine
from app.main import create_app
from app.models import Notification, NotificationAttempt, Role, User, Youth
from app.observability import configure_logging
from app.services.client_keys import new_client_key
from app.services.operations.job_runs import record_success
from app.settings import Settings
from tests.conftest import BASE_URL
from tests.factories.people import sign_in
from tests.operations.install import signed_in_client

TOKEN = "scrape-token-for-the-test-0123456789"


def samples(text: str) -> dict[str, float]:
    """`name{labels}` -> value, from the Prometheus text format."""
    found = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.rpartition(" ")
            found[key] = float(value)
    return found


async def test_scrape_has_route_templates_not_urls(client, db, settings, frozen_clock):
    guide = await _guide_with_youth(db)
    await sign_in(client, db, guide, settings, frozen_clock.now)
    youth = (await db.exec(select(Youth).where(Youth.guide_id == guide.id))).first()
    assert (await client.get(f"/guide/youth/{youth.id}/messages")).status_code == 200

    scrape = await client.get("/metrics")
    assert scrape.status_code == 200
    assert scrape.headers["content-type"].startswith("text/plain")
    found = samples(scrape.text)
    route = 'route="/guide/youth/{youth_id}/messages"'
    assert any(
        key.startswith("trinvis_http_request_duration_seconds_count") and route in key
        for key in found
    )
    assert f"/guide/youth/{youth.id}/" not in scrape.text
    assert found["trinvis_open_streams"] == 0
    assert found['trinvis_job_interval_seconds{background_job="deliver-notifications"}'] == 1.0


async def test_backlog_failures_and_job_runs_are_read_at_scrape_time(client, db, frozen_clock):
    now = frozen_clock.now
    person = await _guide_with_youth(db)
    waiting = Notification(
        user_id=person.id,
        kind="message.new",
        channel="sms",
        dedupe_key="metrics-test-waiting",
        created_at=now - timedelta(minutes=12),
        not_before=now - timedelta(minutes=10),
    )
    later = Notification(
        user_id=person.id,
        kind="checkin.due",
        dedupe_key="metrics-test-later",
        not_before=now + timedelta(hours=8),  # quiet hours: not a backlog yet
    )
    db.add_all([waiting, later])
    await db.flush()
    db.add(
        NotificationAttempt(
            notification_id=waiting.id,
            number=1,
            channel="sms",
            started_at=now - timedelta(minutes=9),
            finished_at=now - timedelta(minutes=9),
            outcome="retry",
        )
    )
    assert await record_success(db, name="metrics-test-job", now=now - timedelta(minutes=3))
    await db.flush()

    found = samples((await client.get("/metrics")).text)
    assert found['trinvis_notifications{channel="sms",state="pending"}'] >= 1
    assert found['trinvis_notifications{channel="preferred",state="pending"}'] >= 1
    assert found["trinvis_notification_oldest_pending_age_seconds"] >= 600
    assert found['trinvis_notification_delivery_failures_total{channel="sms",outcome="retry"}'] >= 1
    last = found['trinvis_job_last_success_timestamp_seconds{background_job="metrics-test-job"}']
    assert last == (now - timedelta(minutes=3)).timestamp()
    assert found['trinvis_db_pool_connections{state="checked_out"}'] >= 0


async def test_a_job_success_is_written_once_a_minute_and_never_goes_back(db, frozen_clock):
    now = frozen_clock.now
    assert await record_success(db, name="metrics-test-minute", now=now)
    assert not await record_success(db, name="metrics-test-minute", now=now + timedelta(seconds=30))
    assert await record_success(db, name="metrics-test-minute", now=now + timedelta(minutes=2))


async def test_only_this_machine_may_scrape_outside_production(app):
    elsewhere = httpx.ASGITransport(app=app, client=("192.0.2.7", 5000))
    async with httpx.AsyncClient(transport=elsewhere, base_url=BASE_URL) as http:
        assert (await http.get("/metrics")).status_code == 401


async def test_production_answers_only_with_the_bearer_token(app, database_url):
    settings = Settings(
        env="production",
        database_url=database_url,
        public_base_url="https://trinvis.example.dk",
        secret_key="production-secret-key-with-enough-length-0123456789",
        oidc_issuer="https://idp.example.dk",
        oidc_client_id="trinvis",
        oidc_client_secret="secret",
        metrics_token=TOKEN,
        run_worker_in_process=False,
    )
    production = create_app(settings)
    production.dependency_overrides = dict(app.dependency_overrides)  # the test's database
    transport = httpx.ASGITransport(app=production)  # from 127.0.0.1, like a local proxy
    try:
        await _scrape_production(transport)
    finally:
        configure_logging("text")  # create_app switched this process to JSON lines


async def _scrape_production(transport: httpx.ASGITransport) -> None:
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
        assert (await http.get("/metrics")).status_code == 401
        wrong = {"Authorization": "Bearer not-the-token"}
        assert (await http.get("/metrics", headers=wrong)).status_code == 401
        right = {"Authorization": f"Bearer {TOKEN}"}
        scrape = await http.get("/metrics", headers=right)
        assert scrape.status_code == 200
        assert "trinvis_http_request_duration_seconds" in scrape.text


async def test_scrape_after_demo_traffic_names_nobody(demo_install):
    engine = make_engine(demo_install.url)
    async with AsyncSession(engine) as db:
        people = (await db.exec(select(User.id, User.name, User.email, User.phone))).all()
        youth_user = (await db.exec(select(User.id).where(User.role == Role.youth))).first()
    await engine.dispose()

    async with signed_in_client(demo_install.url, youth_user) as client:
        for path in ("/", "/plan", "/messages", "/checkins"):
            assert (await client.get(path)).status_code == 200
        message = {"body": "Hej, kan vi ses i morgen?", "client_key": new_client_key()}
        sent = await client.post("/messages", data=message)
        assert sent.status_code == 303
        scrape = (await client.get("/metrics")).text

    assert len(people) > 40
    for person_id, name, email, phone in people:
        for value in (name, email, phone):
            assert not value or value not in scrape
        assert f'"{person_id}"' not in scrape
    assert "kan vi ses" not in scrape
    assert 'method="POST",route="/messages",status="3xx"' in scrape  # the traffic is there
    # Label values are words and route templates: no number stands for a person or a row.
    for value in re.findall(r'="([^"]*)"', scrape):
        assert not re.search(r"/\d+(/|$)", value), value


async def _guide_with_youth(db) -> User:
    from tests.factories.people import make_user, make_youth

    guide = await make_user(db, Role.guide)
    await make_youth(db, guide=guide)
    return guide
