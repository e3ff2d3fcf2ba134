"""pytest fixtures that start the real local peers; load with
``pytest_plugins = ["tests.peers.fixtures"]`` in ``tests/conftest.py``.

Why this split: the peers are plain classes usable anywhere (scripts, benchmarks); this module
only decides their lifetime. Cheap in-process servers are per test (clean records, no
cross-test leaks). The OIDC provider is a Node process (~0.5 s to start), so one runs per session
and a function-scoped fixture resets its per-test state (chosen login account, tamper mode).

Fixtures:

* ``sms_gateway`` -> SmsGateway (token ``SMS_TOKEN``; POST ``sms_gateway.messages_url``)
* ``smtp_server`` -> SmtpServer (plain, no auth); ``smtp_server_tls`` -> STARTTLS required
  + AUTH with ``SMTP_CREDENTIALS``; trust ``smtp_server_tls.cert_path``
* ``gatewayapi_peer`` -> GatewayApiPeer (API token ``GATEWAYAPI_TOKEN``, webhook secret
  ``GATEWAYAPI_WEBHOOK_SECRET``); ``cpsms_peer`` -> CpsmsPeer (``CPSMS_USERNAME``/``CPSMS_API_KEY``)
* ``push_service`` -> PushService (``push_service.new_subscription()``)
* ``oidc_provider`` -> OidcProvider shared per session, login choice reset before each test;
  client ``OIDC_CLIENT_ID``/``OIDC_CLIENT_SECRET``, redirect URIs ``OIDC_REDIRECT_URIS``,
  accounts ``OIDC_ACCOUNTS``
* ``oidc_tamper_proxy`` -> OidcTamperProxy (own provider behind it, same client/accounts;
  ``.issuer`` is the proxy; ``.mode`` reset to None before each test)
* ``oidc_provider_factory`` -> ``make(**OidcProvider kwargs)`` for a provider with another
  client/redirect URI/ttl; everything it made is stopped after the test
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.peers.cpsms import API_KEY as CPSMS_API_KEY
from tests.peers.cpsms import USERNAME as CPSMS_USERNAME
from tests.peers.cpsms import CpsmsPeer
from tests.peers.gatewayapi import DEFAULT_TOKEN as GATEWAYAPI_TOKEN
from tests.peers.gatewayapi import WEBHOOK_SECRET as GATEWAYAPI_WEBHOOK_SECRET
from tests.peers.gatewayapi import GatewayApiPeer
from tests.peers.oidc_provider import OidcProvider
from tests.peers.oidc_tamper_proxy import OidcTamperProxy
from tests.peers.push_service import PushService
from tests.peers.sms_gateway import DEFAULT_TOKEN as SMS_TOKEN
from tests.peers.sms_gateway import SmsGateway
from tests.peers.smtp_server import SmtpServer

__all__ = [
    "CPSMS_API_KEY",
    "CPSMS_USERNAME",
    "GATEWAYAPI_TOKEN",
    "GATEWAYAPI_WEBHOOK_SECRET",
    "OIDC_ACCOUNTS",
    "OIDC_CLIENT_ID",
    "OIDC_CLIENT_SECRET",
    "OIDC_POST_LOGOUT_REDIRECT_URIS",
    "OIDC_REDIRECT_URIS",
    "SMS_TOKEN",
    "SMTP_CREDENTIALS",
]

OIDC_CLIENT_ID = "trinvis-test"
OIDC_CLIENT_SECRET = "trinvis-test-secret"
OIDC_REDIRECT_URIS = [
    "http://testserver/auth/callback",
    "http://testserver/auth/oidc/callback",
    "http://127.0.0.1:8000/auth/callback",
    "http://127.0.0.1:8000/auth/oidc/callback",
    "http://localhost:8000/auth/callback",
]
OIDC_POST_LOGOUT_REDIRECT_URIS = [
    "http://testserver/",
    "http://testserver/auth/logged-out",
    "http://127.0.0.1:8000/",
    "http://localhost:8000/",
]
OIDC_ACCOUNTS: list[dict[str, Any]] = [
    {
        "sub": "guide-anna",
        "email": "anna@guide.test",
        "name": "Anna Guide",
        "acr": "urn:trinvis:nsis:substantial",
        "nsis_level": "substantial",
    },
    {
        "sub": "youth-bo",
        "email": "bo@youth.test",
        "name": "Bo Ung",
        "acr": "urn:trinvis:nsis:low",
        "nsis_level": "low",
        "youth_ref": "YR-0001",
    },
    {
        "sub": "admin-cai",
        "email": "cai@admin.test",
        "name": "Cai Admin",
        "acr": "urn:trinvis:nsis:high",
        "nsis_level": "high",
    },
]
SMTP_CREDENTIALS = ("trinvis", "smtp-test-password")


def _oidc_kwargs(**overrides: Any) -> dict[str, Any]:
    return {
        "accounts": OIDC_ACCOUNTS,
        "client_id": OIDC_CLIENT_ID,
        "client_secret": OIDC_CLIENT_SECRET,
        "redirect_uris": OIDC_REDIRECT_URIS,
        "post_logout_redirect_uris": OIDC_POST_LOGOUT_REDIRECT_URIS,
        **overrides,
    }


@pytest.fixture
def sms_gateway() -> Iterator[SmsGateway]:
    with SmsGateway() as gateway:
        yield gateway


@pytest.fixture
def gatewayapi_peer() -> Iterator[GatewayApiPeer]:
    with GatewayApiPeer() as peer:
        yield peer


@pytest.fixture
def cpsms_peer() -> Iterator[CpsmsPeer]:
    with CpsmsPeer() as peer:
        yield peer


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@pytest.fixture
def smtp_server_tls() -> Iterator[SmtpServer]:
    with SmtpServer(starttls=True, credentials=SMTP_CREDENTIALS) as server:
        yield server


@pytest.fixture
def push_service() -> Iterator[PushService]:
    with PushService() as service:
        yield service


@pytest.fixture(scope="session")
def oidc_provider_session() -> Iterator[OidcProvider]:
    with OidcProvider(**_oidc_kwargs()) as provider:
        yield provider


@pytest.fixture
def oidc_provider(oidc_provider_session: OidcProvider) -> OidcProvider:
    oidc_provider_session.login_as(None)
    return oidc_provider_session


@pytest.fixture(scope="session")
def oidc_tamper_proxy_session() -> Iterator[OidcTamperProxy]:
    with OidcTamperProxy.in_front_of(**_oidc_kwargs()) as proxy:
        yield proxy


@pytest.fixture
def oidc_tamper_proxy(oidc_tamper_proxy_session: OidcTamperProxy) -> OidcTamperProxy:
    proxy = oidc_tamper_proxy_session
    proxy.mode = None
    proxy.tampered.clear()
    assert proxy.provider is not None
    proxy.provider.login_as(None)
    return proxy


@pytest.fixture
def oidc_provider_factory() -> Iterator[Callable[..., OidcProvider]]:
    started: list[OidcProvider] = []

    def make(**overrides: Any) -> OidcProvider:
        provider = OidcProvider(**_oidc_kwargs(**overrides)).start()
        started.append(provider)
        return provider

    yield make
    for provider in started:
        provider.stop()
