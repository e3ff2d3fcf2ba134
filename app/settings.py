"""Settings from the environment: the only place environment variables are read.

Every setting is a `TRINVIS_*` variable (see `.env.example`); the database URL also
answers to the conventional `DATABASE_URL`. Any setting can instead be read from a file
named by the same variable with `_FILE` appended (`TRINVIS_SECRET_KEY_FILE=/run/secrets/
secret_key`, `DATABASE_URL_FILE=...`): Docker and Kubernetes secrets are files, and a
file keeps the secret out of `docker inspect` and the process environment.
"""

from __future__ import annotations

import os
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

DEVELOPMENT_SECRET = "development-only-secret-do-not-use-in-production"  # noqa: S105


class ConfigurationError(RuntimeError):
    """A setting is missing or unsafe; raised at start-up with a message for IT staff."""


class SecretFilesSource(PydanticBaseSettingsSource):
    """`TRINVIS_<NAME>_FILE` (and `DATABASE_URL_FILE`): the setting is that file's text.

    The file's trailing line break is dropped (editors and `echo` add one). Setting both
    the variable and its `_FILE` twin is refused: which one wins would be a guess.
    """

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # everything happens in __call__

    def __call__(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for name, field in self.settings_cls.model_fields.items():
            names = [f"TRINVIS_{name.upper()}"]
            if isinstance(field.validation_alias, AliasChoices):
                names = [str(choice) for choice in field.validation_alias.choices]
            for variable in names:
                path = os.environ.get(f"{variable}_FILE")
                if not path:
                    continue
                if os.environ.get(variable):
                    raise ConfigurationError(f"Set {variable} or {variable}_FILE, not both")
                try:
                    value = Path(path).read_text(encoding="utf-8")
                except OSError as exc:
                    raise ConfigurationError(
                        f"{variable}_FILE names a file that cannot be read: {exc.strerror}"
                    ) from None
                # A field with aliases is filled by its alias, as the environment does.
                key = variable if isinstance(field.validation_alias, AliasChoices) else name
                found[key] = value.rstrip("\r\n")
                break
        return found


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
    # Connections each process keeps to PostgreSQL (SQLAlchemy's pool): `db_pool_size`
    # kept open, up to `db_max_overflow` more at busy moments. An app process also holds
    # one for live messages (LISTEN). See docs/operations.md "Scaling".
    db_pool_size: int = Field(default=5, ge=1, le=100)
    db_max_overflow: int = Field(default=10, ge=0, le=100)
    # Addresses whose X-Forwarded-For/-Proto headers uvicorn believes: the reverse proxy
    # only (comma-separated IPs or networks). Anyone else could claim any address.
    forwarded_allow_ips: str = "127.0.0.1"
    # On SIGTERM an app process ends its live streams (browsers reconnect to another
    # replica) and waits at most this long for other requests before it exits.
    shutdown_grace_seconds: int = Field(default=4, ge=1, le=60)
    # `trinvis worker` touches this file on every round; `trinvis worker --check` (the
    # container's healthcheck) fails when it is older than `worker_heartbeat_max_age`.
    worker_heartbeat_file: Path = Path("/tmp/trinvis-worker.heartbeat")  # noqa: S108
    worker_heartbeat_max_age_seconds: int = Field(default=120, ge=5)
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
    # SMS: "generic" (our own JSON contract, app/notifications/channels/sms.py),
    # "gatewayapi" (gatewayapi.com) or "cpsms" (cpsms.dk). The URL defaults to the
    # provider's own; the token is the generic Bearer token, GatewayAPI's API token or
    # CPSMS's API key (with `sms_gateway_username`). `sms_receipt_secret` authenticates
    # delivery receipts: GatewayAPI's webhook JWT secret, or the secret in CPSMS's dlr_url.
    sms_provider: Literal["generic", "gatewayapi", "cpsms"] = "generic"
    sms_gateway_url: str | None = None
    sms_gateway_token: str | None = None
    sms_gateway_username: str | None = None
    sms_receipt_secret: str | None = None
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
    # Push endpoints must be at one of the push services browsers use (https, default port);
    # "*.example.com" allows every host below example.com. Each send connects only to
    # public addresses (app/notifications/channels/push_addresses.py).
    push_service_hosts: list[str] = [
        "fcm.googleapis.com",
        "updates.push.services.mozilla.com",
        "*.notify.windows.com",
        "web.push.apple.com",
        "*.push.apple.com",
    ]
    # Tests only (refused in production): hosts a push endpoint may also name, over http
    # and on any port, such as the local push peer; the IP addresses among them may be
    # connected to although they are loopback or private.
    push_test_hosts: list[str] = []
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

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            init_settings,
            env_settings,
            SecretFilesSource(settings_cls),
            dotenv_settings,
            file_secret_settings,
        )

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
        if self.push_test_hosts:
            problems.append("TRINVIS_PUSH_TEST_HOSTS is for tests and must not be set")
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
