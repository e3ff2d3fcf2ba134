import pytest

from app.settings import ConfigurationError, Settings

PRODUCTION = dict(
    env="production",
    secret_key="x" * 40,
    public_base_url="https://trinvis.fjordby.dk",
    oidc_issuer="https://idp.fjordby.dk",
    oidc_client_id="trinvis",
    oidc_client_secret="s3cret-from-the-vault",
    clock=None,  # whatever TRINVIS_CLOCK this run has (make test-at)
)


def test_complete_production_settings_are_accepted():
    assert Settings(**PRODUCTION).is_production


def test_production_refuses_demo_mode():
    with pytest.raises(ConfigurationError, match="DEMO_MODE must be off"):
        Settings(**{**PRODUCTION, "demo_mode": True})


def test_production_refuses_the_development_secret():
    settings = dict(PRODUCTION)
    del settings["secret_key"]
    with pytest.raises(ConfigurationError, match="TRINVIS_SECRET_KEY"):
        Settings(**settings)


def test_production_names_every_missing_setting():
    with pytest.raises(ConfigurationError) as error:
        Settings(env="production", public_base_url="http://plain.example")
    message = str(error.value)
    for name in ("SECRET_KEY", "PUBLIC_BASE_URL", "OIDC_ISSUER", "OIDC_CLIENT_ID"):
        assert name in message


def test_database_url_is_read_from_the_conventional_variable(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://db.example/trinvis")
    assert Settings().database_url == "postgresql+asyncpg://db.example/trinvis"


def test_cli_stops_with_a_clear_message_in_unsafe_production(monkeypatch, capsys):
    from app import cli
    from app.settings import get_settings

    monkeypatch.setenv("TRINVIS_ENV", "production")
    monkeypatch.setenv("TRINVIS_DEMO_MODE", "1")
    get_settings.cache_clear()
    try:
        assert cli.main(["serve"]) == 2
    finally:
        get_settings.cache_clear()
    assert "DEMO_MODE must be off" in capsys.readouterr().err


def test_cli_refuses_several_workers_on_sqlite(monkeypatch, capsys):
    from app import cli
    from app.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", "sqlite+aiosqlite:///./never-created.db")
    get_settings.cache_clear()
    try:
        assert cli.main(["serve", "--workers", "2"]) == 2
    finally:
        get_settings.cache_clear()
    assert "--workers above 1 needs PostgreSQL" in capsys.readouterr().err
