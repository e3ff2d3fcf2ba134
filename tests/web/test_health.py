async def test_healthz_answers_when_the_process_is_up(client):
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_reports_database_and_migrations_at_head(client):
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "database": "ok", "migrations": "at head"}


async def test_readyz_says_not_ready_when_migrations_are_behind(client, db):
    from sqlalchemy import text

    await db.exec(text("UPDATE alembic_version SET version_num = 'older'"))
    response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["migrations"] == "behind"
