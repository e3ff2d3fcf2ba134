"""The SCIM service Trinvis offers, and one call that serves a SCIM request.

What the service announces (`/ServiceProviderConfig`): PATCH, filters, sorting and
ETags; no bulk and no password changes (staff sign in at the IdP, never with a
password here). The schemas and resource types are RFC 7643's User (with the
enterprise extension) and Group, as Entra ID and Keycloak send them.
"""

from __future__ import annotations

import logging
from datetime import datetime
from functools import cache
from typing import Any

from scim2_models import (
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    External,
    Reference,
    Resource,
    SCIMException,
    ScimProvider,
)
from scim2_server.handler import AsyncScimHandler
from scim2_server.requests import ScimRequest
from scim2_server.responses import ScimResponse
from scim2_server.service import ScimService
from scim2_server.utils import (
    load_default_resource_types,
    load_default_schemas,
    load_default_service_provider_config,
)
from sqlmodel.ext.asyncio.session import AsyncSession

from app.models import ScimConnection
from app.services.scim.storage import TrinvisStorage

log = logging.getLogger("trinvis.scim")
WRITES = frozenset({"PUT", "PATCH", "DELETE"})

BEARER = AuthenticationScheme(
    type=AuthenticationScheme.Type.oauthbearertoken,
    name="Bearer token",
    description="The token an admin made for this IdP on Trinvis's SCIM page",
    spec_uri=Reference[External]("https://datatracker.ietf.org/doc/html/rfc6750"),
    primary=True,
)


@cache
def service() -> ScimService:
    config = load_default_service_provider_config()
    config.bulk = Bulk(supported=False, max_operations=0, max_payload_size=0)
    config.change_password = ChangePassword(supported=False)
    config.authentication_schemes = [BEARER]
    provider = ScimProvider.from_discovery(
        load_default_schemas().values(), load_default_resource_types().values(), config=config
    )
    return ScimService(provider)


def _models(scim: ScimService) -> dict[str, type[Resource[Any]]]:
    return {str(rt.name): scim.get_model(rt) for rt in scim.provider.resource_types}


def unauthorized() -> ScimResponse:
    """A request without a valid token, in SCIM's error schema with the Bearer challenge."""
    from scim2_models import UnauthorizedException

    return service().error_response(UnauthorizedException(detail="A valid bearer token is needed"))


async def serve(
    db: AsyncSession, *, connection: ScimConnection, request: ScimRequest, now: datetime
) -> tuple[ScimResponse, bool]:
    """Serve one SCIM request for one IdP; returns the response and whether it succeeded
    (the caller rolls back what a failed request wrote)."""
    scim = service()
    storage = TrinvisStorage(
        db,
        connection=connection,
        models=_models(scim),
        now=now,
        writing=request.method.upper() in WRITES,
    )
    try:
        response = await AsyncScimHandler(scim, storage).handle(request)
    except SCIMException as exc:
        log.info(
            "scim request refused",
            extra={"event": "scim_refused", "status": exc.status, "connection_id": connection.id},
        )
        return scim.error_response(exc), False
    return response, True


def json_bytes(body: dict[str, Any]) -> bytes:
    import json

    return json.dumps(body, ensure_ascii=False, default=str).encode()
