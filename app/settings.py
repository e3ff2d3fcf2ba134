"""Settings from the environment: the only place environment variables are read.

Every setting is a `TRINVIS_*` variable (see `.env.example`); the database URL also
answers to the conventional `DATABASE_URL`.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Literal

from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_SECRET = "development-only-secret-do-not-use-in-production"  # noqa: S105


class ConfigurationError(RuntimeError):
    """A setting is missing or unsafe; raised at start-up with a message for IT staff."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="TRINVIS_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    env: Literal["development", "test", "production"] = "development"
    demo_mode: bool = False
    database_url: str = Field(
        default="sqlite+aiosqlite:///./trinvis.db",
        validation_alias=AliasChoices("TRINVIS_DATABASE_URL", "DATABASE_URL"),
    )
    secret_key: str = DEVELOPMENT_SECRET
    public_base_url: str = "http://127.0.0.1:8000"
    run_worker_in_process: bool = True
    log_format: Literal["json", "text"] | None = None
    log_level: str = "INFO"
    # /metrics answers callers on this machine outside production; in production only
    # those sending `Authorization: Bearer <this token>` (unset: nobody).
    metrics_token: str | None = None
    # The app's clock (app/clock.py): an instant with its UTC offset, frozen there, or
    # ticking from it with TRINVIS_CLOCK_TICKS=1. For demos and tests; refused in production.
    clock: datetime | None = None
    clock_ticks: bool = False

    # Staff sign-in through the municipality's OpenID Connect provider.
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    oidc_scopes: str = "openid email profile"

    # Young people may also sign in through a citizen IdP that speaks OpenID Connect (a
    # MitID broker, or a SAML-to-OIDC bridge in front of NemLog-in). The claim named by
    # `citizen_oidc_ref_claim` must equal the reference stored on an invited young person,
    # and the assurance claim must reach `citizen_oidc_min_level` (low < substantial < high).
    citizen_oidc_issuer: str | None = None
    citizen_oidc_client_id: str | None = None
    citizen_oidc_client_secret: str | None = None
    citizen_oidc_scopes: str = "openid"
    citizen_oidc_ref_claim: str = "youth_ref"
    citizen_oidc_level_claim: str = "nsis_level"
    citizen_oidc_min_level: Literal["low", "substantial", "high"] = "substantial"

    # Outgoing channels.
    sms_gateway_url: str | None = None
    sms_gateway_token: str | None = None
    sms_sender: str = "Trinvis"
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = True
    smtp_from: str = "Trinvis <no-reply@trinvis.invalid>"
    vapid_private_key: str | None = None
    vapid_public_key: str | None = None
    vapid_subject: str = "mailto:it@trinvis.invalid"
    # Trust this CA file for STARTTLS (a municipality's internal mail relay); None: system CAs.
    smtp_ca_file: str | None = None
    # Delivery: a claimed notification is retried by another worker after the lease.
    notification_lease_seconds: int = 120
    notification_max_attempts: int = 6
    sms_timeout_seconds: float = 10.0
    # Staff screens show many young people's data: sessions end after this much idle time,
    # and after this many hours in all, whatever happens.
    staff_idle_minutes: int = Field(default=30, ge=5, le=480)
    staff_session_hours: int = Field(default=12, ge=1, le=24)

    @field_validator("clock")
    @classmethod
    def _clock_has_an_offset(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("TRINVIS_CLOCK needs a UTC offset, e.g. 2026-12-24T22:30:00+01:00")
        return value

    def apply_clock(self) -> None:
        """Set this process's clock from TRINVIS_CLOCK (the machine's clock when unset)."""
        from app.clock import set_clock

        set_clock(self.clock, ticking=self.clock_ticks)

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def uses_https(self) -> bool:
        return self.public_base_url.startswith("https://")

    @property
    def staff_oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id and self.oidc_client_secret)

    @property
    def citizen_oidc_enabled(self) -> bool:
        return bool(
            self.citizen_oidc_issuer
            and self.citizen_oidc_client_id
            and self.citizen_oidc_client_secret
        )

    @property
    def effective_log_format(self) -> str:
        return self.log_format or ("json" if self.is_production else "text")

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if not self.is_production:
            return self
        problems: list[str] = []
        if self.demo_mode:
            problems.append("TRINVIS_DEMO_MODE must be off when TRINVIS_ENV=production")
        if self.clock is not None:
            problems.append("TRINVIS_CLOCK must not be set when TRINVIS_ENV=production")
        if self.secret_key == DEVELOPMENT_SECRET or len(self.secret_key) < 32:
            problems.append("TRINVIS_SECRET_KEY must be set to at least 32 random characters")
        if not self.uses_https:
            problems.append("TRINVIS_PUBLIC_BASE_URL must be an https:// address")
        for name in ("oidc_issuer", "oidc_client_id", "oidc_client_secret"):
            if not getattr(self, name):
                problems.append(f"TRINVIS_{name.upper()} is required for staff sign-in")
        if problems:
            raise ConfigurationError(
                "Trinvis will not start in production:\n  - " + "\n  - ".join(problems)
            )
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
