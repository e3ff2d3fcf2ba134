"""A real SMTP server (aiosmtpd) on 127.0.0.1 that records every message it accepts.

Why: the app sends mail with aiosmtplib over a real socket; testing against a real SMTP server
exercises the protocol (EHLO, STARTTLS, AUTH, DATA, error replies) instead of a mocked client.

    with SmtpServer() as smtp:                         # plain SMTP, no auth
        ... app sends to smtp.host:smtp.port ...
        mail = smtp.wait_for(1)[0]                     # a ReceivedMail
        mail.message["Subject"], mail.message.get_body(("plain",)).get_content()

    SmtpServer(starttls=True)                          # STARTTLS required before MAIL FROM;
        smtp.cert_path / smtp.client_ssl_context()     #   self-signed cert made at start
    SmtpServer(credentials=("user", "pass"))           # AUTH LOGIN/PLAIN required
    smtp.fail_next("451 4.3.0 Try again later")        # next DATA answered with that reply

``smtp.messages`` is the list of parsed ``email.message.EmailMessage`` objects; ``smtp.received``
adds the envelope, whether TLS was used and who authenticated.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import ipaddress
import shutil
import ssl
import tempfile
import threading
import time
from collections import deque
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes
    tls: bool
    login: str | None


def make_self_signed_cert(directory: Path) -> tuple[Path, Path]:
    """Write a throw-away certificate for localhost/127.0.0.1 and its key; return both paths."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("localhost"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                ]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "smtp-cert.pem", directory / "smtp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class _EphemeralPortController(Controller):
    """aiosmtpd's Controller, bound to port 0 and learning the real port (no free-port race)."""

    def _create_server(self) -> Any:
        async def bind() -> Any:
            server = await super(_EphemeralPortController, self)._create_server()
            self.port = server.sockets[0].getsockname()[1]
            return server

        return bind()


class SmtpServer:
    """Record-everything SMTP server; see the module docstring."""

    def __init__(
        self, *, starttls: bool = False, credentials: tuple[str, str] | None = None
    ) -> None:
        self.host = "127.0.0.1"
        self.port = 0
        self.starttls = starttls
        self.credentials = credentials
        self.cert_path: Path | None = None
        self._tmpdir: str | None = None
        self._received: list[ReceivedMail] = []
        self._script: deque[str] = deque()
        self._cond = threading.Condition()
        self._controller: Controller | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> SmtpServer:
        kwargs: dict[str, Any] = {}
        if self.starttls:
            self._tmpdir = tempfile.mkdtemp(prefix="trinvis-smtp-")
            self.cert_path, key_path = make_self_signed_cert(Path(self._tmpdir))
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(self.cert_path, key_path)
            kwargs.update(tls_context=context, require_starttls=True)
        if self.credentials:
            kwargs.update(
                authenticator=self._authenticate, auth_required=True, auth_require_tls=self.starttls
            )
        self._controller = _EphemeralPortController(
            _Handler(self), hostname=self.host, port=0, server_hostname="localhost", **kwargs
        )
        self._controller.start()
        self.port = self._controller.port
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None

    def __enter__(self) -> SmtpServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def client_ssl_context(self) -> ssl.SSLContext:
        """An SSL context that trusts this server's self-signed certificate."""
        assert self.cert_path is not None, "started without starttls=True"
        return ssl.create_default_context(cafile=str(self.cert_path))

    # -- controls and records ---------------------------------------------------------------
    def fail_next(self, reply: str = "451 4.3.0 Try again later", times: int = 1) -> None:
        """Answer the next ``times`` DATA commands with ``reply`` instead of accepting."""
        with self._cond:
            self._script.extend([reply] * times)

    @property
    def received(self) -> list[ReceivedMail]:
        with self._cond:
            return list(self._received)

    @property
    def messages(self) -> list[EmailMessage]:
        return [mail.message for mail in self.received]

    def reset(self) -> None:
        with self._cond:
            self._received.clear()
            self._script.clear()

    def wait_for(self, count: int = 1, timeout: float = 5.0) -> list[ReceivedMail]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self._received) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"expected {count} mails, got {len(self._received)}")
                self._cond.wait(remaining)
            return list(self._received)

    async def wait_for_async(self, count: int = 1, within: float = 5.0) -> list[ReceivedMail]:
        """``wait_for`` for async tests: waits in a thread so the app's tasks keep running."""
        return await asyncio.to_thread(self.wait_for, count, within)

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and self.credentials is not None
            and (auth_data.login.decode(), auth_data.password.decode()) == self.credentials
        )
        return AuthResult(success=ok, handled=False, auth_data=auth_data)

    def _record(self, session: Any, envelope: Any) -> str:
        with self._cond:
            if self._script:
                return self._script.popleft()
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        login = (
            session.auth_data.login.decode()
            if isinstance(session.auth_data, LoginPassword)
            else None
        )
        mail = ReceivedMail(
            mail_from=envelope.mail_from,
            rcpt_tos=list(envelope.rcpt_tos),
            message=message,
            raw=raw,
            tls=session.ssl is not None,
            login=login,
        )
        with self._cond:
            self._received.append(mail)
            self._cond.notify_all()
        return "250 Message accepted for delivery"


class _Handler:
    def __init__(self, owner: SmtpServer) -> None:
        self.owner = owner

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        return self.owner._record(session, envelope)
