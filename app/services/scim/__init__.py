"""SCIM: staff accounts provisioned from the municipality's IdP over SCIM 2.0
(RFC 7643/7644), as Entra ID and Keycloak send them.

The protocol itself (parsing, PATCH, filters, discovery, errors in SCIM's schema) is
`scim2-server` and `scim2-models`; this package gives them Trinvis's storage and turns
what the IdP writes into Trinvis's own rows.

Services:
- `connections.py`: IdP connections, their bearer tokens (hashed, shown once) and the
  admin's group mappings (an IdP group gives a role and/or a team).
- `protocol.py`: the SCIM service description and one call that serves a request.
- `storage.py`: the `AsyncScimStorage` over `ScimResource` rows, one IdP at a time.
- `provisioning.py`: a SCIM User becomes a staff account (created, renamed, deactivated
  with every session ended), groups become roles and teams; every change goes to the
  admin change log.

Elsewhere in the area:
- routers: `app/routers/scim.py` (the protocol), `app/routers/admin_scim.py` (the admin page)
- models: `app/models/scim.py`
- templates: `app/templates/scim/`
- catalog: `app/i18n/da/scim.po`
- migration: `migrations/versions/1030_scim_and_sms_receipts.py`
- tests: `tests/web/test_scim_*.py`
"""
