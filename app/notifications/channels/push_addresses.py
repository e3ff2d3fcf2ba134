"""Where Web Push may send: the push services browsers use, at public addresses only.

A push endpoint comes from the browser, which means from whoever is signed in: without
these rules anyone could make the worker POST to an address inside the municipality's
network (a blind SSRF). Two checks:

- `endpoint_refusal` when a subscription is saved and again before each send: https on
  the default port, at a host in `TRINVIS_PUSH_SERVICE_HOSTS` (FCM, Mozilla, WNS, Apple).
- `PublicOnlyTransport` when connecting: the host is resolved once, every address must
  be public (no private, loopback, link-local, shared, multicast or reserved range), and
  the connection goes to an address that was checked. DNS that changes between the check
  and the send (rebinding) gains nothing: there is no second lookup.

Tests name the local push peer in `TRINVIS_PUSH_TEST_HOSTS` (refused in production):
such hosts may use http and any port, and the IP addresses among them may be connected
to although they are loopback.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

import anyio
import httpcore
import httpx

from app.settings import Settings

MAX_ENDPOINT_LENGTH = 1024

NOT_A_PUSH_SERVICE = "the endpoint is not at a known push service"
NOT_PUBLIC = "the push service's address is not public"


class AddressRefused(httpcore.ConnectError):
    """The host resolved to an address Trinvis never connects to."""


def _host_matches(host: str, pattern: str) -> bool:
    pattern = pattern.strip().lower().rstrip(".")
    if pattern.startswith("*."):
        return host.endswith(pattern[1:])
    return host == pattern


def endpoint_refusal(settings: Settings, endpoint: str) -> str | None:
    """Why Trinvis will not send to `endpoint` (for the log), or None when it may."""
    if len(endpoint) > MAX_ENDPOINT_LENGTH:
        return NOT_A_PUSH_SERVICE
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError:
        return NOT_A_PUSH_SERVICE
    host = (parts.hostname or "").rstrip(".")
    if not host or parts.username is not None or parts.password is not None:
        return NOT_A_PUSH_SERVICE
    if not settings.is_production and any(
        _host_matches(host, test_host) for test_host in settings.push_test_hosts
    ):
        return None if parts.scheme in ("http", "https") else NOT_A_PUSH_SERVICE
    if parts.scheme != "https" or port not in (None, 443):
        return NOT_A_PUSH_SERVICE
    if not any(_host_matches(host, pattern) for pattern in settings.push_service_hosts):
        return NOT_A_PUSH_SERVICE
    return None


def _test_addresses(settings: Settings) -> frozenset[str]:
    if settings.is_production:
        return frozenset()
    found = set()
    for host in settings.push_test_hosts:
        try:
            found.add(str(ipaddress.ip_address(host.strip("[]"))))
        except ValueError:
            continue  # a name: its addresses are checked like any other
    return frozenset(found)


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (
        ip.is_multicast or ip.is_reserved or ip.is_loopback or ip.is_link_local
    )


class _PublicOnlyBackend(httpcore.AsyncNetworkBackend):
    """Resolves once, checks every address, and connects to a checked one."""

    def __init__(self, allowed: frozenset[str]) -> None:
        self._inner = httpcore.AnyIOBackend()
        self._allowed = allowed

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            with anyio.fail_after(timeout):
                found = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout("name lookup timed out") from exc
        except OSError as exc:  # the name does not resolve
            raise httpcore.ConnectError("name lookup failed") from exc
        addresses = list(dict.fromkeys(str(info[4][0]) for info in found))
        if not addresses or any(
            not is_public(address) and address not in self._allowed for address in addresses
        ):
            raise AddressRefused(NOT_PUBLIC)
        last: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address,
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        socket_options: Any = None,
    ) -> httpcore.AsyncNetworkStream:
        raise AddressRefused(NOT_PUBLIC)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class PublicOnlyTransport(httpx.AsyncHTTPTransport):
    """httpx's transport over `_PublicOnlyBackend`; never through a proxy from the env.

    TLS still checks the certificate for the endpoint's host name (httpcore sends it as
    SNI), only the TCP connection goes to the address that was checked.
    """

    def __init__(self, settings: Settings) -> None:
        super().__init__(trust_env=False)
        # httpx has no parameter for the network backend: build its pool ourselves.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            network_backend=_PublicOnlyBackend(_test_addresses(settings)),
        )


def refused_address(exc: BaseException) -> bool:
    """Whether an httpx error came from `AddressRefused`."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, AddressRefused):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
