"""Secrets from files (`*_FILE`), the pool size setting, and what each refuses."""

from __future__ import annotations

import pytest

from app.settings import ConfigurationError, Settings


def settings() -> Settings:
    return Settings(_env_file=None)  # type: ignore[call-arg]


def test_a_secret_comes_from_the_file_its_FILE_variable_names(tmp_path, monkeypatch):
    secret = tmp_path / "secret_key"
    secret.write_text("a-secret-from-a-docker-secret-file-0123456789\n")
    url = tmp_path / "database_url"
    url.write_text("postgresql+asyncpg://trinvis:s3cret@db:5432/trinvis")
    monkeypatch.delenv("TRINVIS_SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("TRINVIS_DATABASE_URL", raising=False)
    monkeypatch.setenv("TRINVIS_SECRET_KEY_FILE", str(secret))
    monkeypatch.setenv("DATABASE_URL_FILE", str(url))
    monkeypatch.setenv("TRINVIS_SMTP_PASSWORD_FILE", str(secret))

    loaded = settings()

    assert loaded.secret_key == "a-secret-from-a-docker-secret-file-0123456789"
    assert loaded.smtp_password == loaded.secret_key
    assert loaded.database_url == "postgresql+asyncpg://trinvis:s3cret@db:5432/trinvis"


def test_a_variable_and_its_FILE_twin_together_are_refused(tmp_path, monkeypatch):
    secret = tmp_path / "secret_key"
    secret.write_text("x" * 40)
    monkeypatch.setenv("TRINVIS_SECRET_KEY", "y" * 40)
    monkeypatch.setenv("TRINVIS_SECRET_KEY_FILE", str(secret))
    with pytest.raises(ConfigurationError, match="not both"):
        settings()


def test_a_missing_secret_file_is_named_without_its_content(tmp_path, monkeypatch):
    monkeypatch.delenv("TRINVIS_VAPID_PRIVATE_KEY", raising=False)
    monkeypatch.setenv("TRINVIS_VAPID_PRIVATE_KEY_FILE", str(tmp_path / "missing"))
    with pytest.raises(ConfigurationError, match="TRINVIS_VAPID_PRIVATE_KEY_FILE"):
        settings()


def test_the_pool_size_is_a_setting_and_reaches_the_engine(monkeypatch):
    from app import db

    monkeypatch.setenv("TRINVIS_DB_POOL_SIZE", "3")
    monkeypatch.setenv("TRINVIS_DB_MAX_OVERFLOW", "2")
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://nobody@127.0.0.1:1/none")
    loaded = settings()
    assert (loaded.db_pool_size, loaded.db_max_overflow) == (3, 2)

    monkeypatch.setattr(db, "get_settings", lambda: loaded)
    monkeypatch.setattr(db, "_engine", None)
    monkeypatch.setattr(db, "_sessionmaker", None)
    engine = db.get_engine()  # builds the engine; connects to nothing until used
    assert engine.pool.size() == 3
    assert engine.pool._max_overflow == 2  # type: ignore[attr-defined]
    monkeypatch.setenv("TRINVIS_DB_POOL_SIZE", "0")
    with pytest.raises(ValueError, match="db_pool_size"):
        settings()
