"""`scim2-server`'s storage over the `ScimResource` rows of one IdP connection.

A resource is kept as the IdP last wrote it (JSON), so reading it back gives exactly
that; `provisioning.py` derives the staff account from it in the same transaction.
Every IdP sees only its own resources. Uniqueness (userName, a Group's displayName) is
a unique index, so two IdP requests racing to create the same person cannot both win.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from scim2_models import (
    Meta,
    NotFoundException,
    PreconditionFailedException,
    Resource,
    ResourceType,
    ResponseParameters,
    SearchRequest,
    UniquenessException,
)
from scim2_models.path import CompareOperator, Comparison
from scim2_server.storage import AsyncScimStorage, SearchPage
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.models import ScimConnection, ScimResource
from app.services.scim import provisioning

# Attributes a search can look up by index instead of reading every resource.
KEY_ATTRIBUTE = {"User": "username", "Group": "displayname"}


def unique_key(resource: Resource[Any]) -> str:
    value = getattr(resource, "user_name", None) or getattr(resource, "display_name", None)
    return str(value or "").lower()


def version_tag(version: int) -> str:
    return f'W/"{version}"'


class TrinvisStorage(AsyncScimStorage):
    """One request's view of one connection's resources."""

    def __init__(
        self,
        db: AsyncSession,
        *,
        connection: ScimConnection,
        models: dict[str, type[Resource[Any]]],
        now: datetime,
        writing: bool = False,
    ) -> None:
        self.db = db
        self.connection = connection
        self.models = models
        self.now = now
        # A PUT, PATCH or DELETE reads the resource it changes under a row lock, so two
        # of them at once (an IdP retrying) apply one after the other, the second to
        # what the first wrote, instead of both to the same old state.
        self.writing = writing

    @asynccontextmanager
    async def operation(self) -> AsyncIterator[None]:
        yield

    # -- reading ----------------------------------------------------------------------
    def _resource(self, row: ScimResource) -> Resource[Any]:
        resource = self.models[row.resource_type].model_validate(json.loads(row.body))
        resource.id = row.id
        resource.meta = Meta(
            resource_type=row.resource_type,
            created=row.created_at,
            last_modified=row.updated_at,
            version=version_tag(row.version),
        )
        return resource

    async def _row(self, resource_type: str, resource_id: str) -> ScimResource:
        query = select(ScimResource).where(ScimResource.id == resource_id)
        if self.writing:
            query = query.with_for_update().execution_options(populate_existing=True)
        row = (await self.db.exec(query)).first()
        if (
            row is None
            or row.connection_id != self.connection.id
            or row.resource_type != resource_type
        ):
            raise NotFoundException(detail=f"{resource_type} {resource_id} not found")
        return row

    async def get(
        self,
        resource_type: ResourceType,
        resource_id: str,
        *,
        response_parameters: ResponseParameters[Any] | None = None,
    ) -> Resource[Any]:
        return self._resource(await self._row(_name(resource_type), resource_id))

    async def search(
        self,
        resource_types: list[ResourceType],
        search_request: SearchRequest[Any],
        *,
        position: Any = None,
    ) -> SearchPage:
        query = select(ScimResource).where(
            ScimResource.connection_id == self.connection.id,
            col(ScimResource.resource_type).in_([_name(rt) for rt in resource_types]),
        )
        looked_up = _indexed_lookup(search_request, [_name(rt) for rt in resource_types])
        if looked_up is not None:
            column, value = looked_up
            query = query.where(getattr(ScimResource, column) == value)
        order = (col(ScimResource.created_at), col(ScimResource.id))
        rows = (await self.db.exec(query.order_by(*order))).all()
        scim_filter = search_request.filter
        found = [
            resource
            for resource in (self._resource(row) for row in rows)
            if scim_filter is None or scim_filter.match(resource)
        ]
        if search_request.sort_by is not None:
            descending = search_request.sort_order == SearchRequest.SortOrder.descending
            found.sort(
                key=lambda r: (
                    search_request.sort_value(r) is None,
                    str(search_request.sort_value(r) or ""),
                ),
                reverse=descending,
            )
        start = search_request.start_index_0 or 0
        stop = None if search_request.count is None else start + search_request.count
        return SearchPage(len(found), found[start:stop])

    # -- writing ----------------------------------------------------------------------
    async def create(self, resource_type: ResourceType, resource: Resource[Any]) -> Resource[Any]:
        assert self.connection.id is not None
        row = ScimResource(
            id=uuid.uuid4().hex,
            connection_id=self.connection.id,
            resource_type=_name(resource_type),
            unique_key=unique_key(resource),
            external_id=resource.external_id,
            body=_body(resource),
            created_at=self.now,
            updated_at=self.now,
        )
        await self._insert(row, _name(resource_type))
        resource.id = row.id
        await provisioning.written(
            self.db, connection=self.connection, row=row, before=None, after=resource, now=self.now
        )
        return self._resource(row)

    async def _insert(self, row: ScimResource, resource_type: str) -> None:
        taken = (
            await self.db.exec(
                select(ScimResource.id).where(
                    ScimResource.connection_id == row.connection_id,
                    ScimResource.resource_type == resource_type,
                    ScimResource.unique_key == row.unique_key,
                )
            )
        ).first()
        if taken is not None and taken != row.id:
            raise _taken(resource_type)
        try:
            async with self.db.begin_nested():
                self.db.add(row)
        except IntegrityError as exc:  # a parallel request created it first
            raise _taken(resource_type) from exc

    async def update(
        self,
        resource_type: ResourceType,
        resource: Resource[Any],
        *,
        expected_version: str | None = None,
    ) -> Resource[Any]:
        row = await self._row(_name(resource_type), str(resource.id))
        if expected_version is not None and expected_version != version_tag(row.version):
            raise PreconditionFailedException(detail="The resource was changed meanwhile")
        before = self._resource(row)
        key = unique_key(resource)
        if key != row.unique_key:
            row.unique_key = key
            await self._insert(row, _name(resource_type))
        body = _body(resource)
        if body == row.body and resource.external_id == row.external_id:
            return before  # the same state again (an IdP retry): nothing changes
        row.body, row.external_id = body, resource.external_id
        row.version += 1
        row.updated_at = self.now
        self.db.add(row)
        await self.db.flush()
        await provisioning.written(
            self.db,
            connection=self.connection,
            row=row,
            before=before,
            after=resource,
            now=self.now,
        )
        return self._resource(row)

    async def delete(
        self,
        resource_type: ResourceType,
        resource_id: str,
        *,
        expected_version: str | None = None,
    ) -> None:
        row = await self._row(_name(resource_type), resource_id)
        if expected_version is not None and expected_version != version_tag(row.version):
            raise PreconditionFailedException(detail="The resource was changed meanwhile")
        before = self._resource(row)
        await provisioning.deleted(
            self.db, connection=self.connection, row=row, before=before, now=self.now
        )
        await self.db.delete(row)
        await self.db.flush()


def _name(resource_type: ResourceType) -> str:
    return str(resource_type.name)


def _body(resource: Resource[Any]) -> str:
    data = resource.model_dump(mode="json", exclude={"id", "meta"})
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def _taken(resource_type: str) -> UniquenessException:
    attribute = "userName" if resource_type == "User" else "displayName"
    return UniquenessException(attribute=attribute, detail=f"{attribute} is already taken")


def _indexed_lookup(
    search_request: SearchRequest[Any], resource_types: list[str]
) -> tuple[str, str] | None:
    """`userName eq "x"` (Entra ID's lookup before each create) reads one row by index."""
    scim_filter = search_request.filter
    node = scim_filter.ast if scim_filter is not None else None
    if not isinstance(node, Comparison) or node.op != CompareOperator.eq:
        return None
    if not isinstance(node.value, str) or node.attr_path.sub_attr is not None:
        return None
    attribute = node.attr_path.attr.lower()
    if attribute == "externalid":
        return "external_id", node.value
    if len(resource_types) == 1 and KEY_ATTRIBUTE.get(resource_types[0]) == attribute:
        return "unique_key", node.value.lower()
    return None
