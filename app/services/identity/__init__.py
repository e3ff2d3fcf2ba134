"""Identity: who a person is and how they sign in, and what they can see and take of
their own data.

Services:
- `accounts.py`: signing in and out, and a person's own preferences.
- `one_time_codes.py`: six-digit codes to a phone or e-mail: sign in, confirm a change.
- `passkeys.py`: passkeys (WebAuthn) on a person's own phone.
- `oidc_sign_in.py`: OpenID Connect: staff at the municipality's IdP, citizens via MitID.
- `invites.py`: a guide invites a young person: the account, the course, a link.
- `my_data.py`: signed-in devices (who has seen my data and the export: `app/services/privacy/`).

Elsewhere in the area:
- routers: `app/routers/auth.py`, `app/routers/sign_in.py`, `app/routers/me.py`,
  `app/routers/invites.py`, `app/routers/preferences.py`; `app/web/sign_in_forms.py`;
  the OIDC protocol in `app/security/oidc.py`
- templates: `app/templates/identity/`, `app/templates/auth/`
- catalog: `app/i18n/da/identity.po`
- demo step: `app/demo/identity.py`
- migration: `migrations/versions/0100_identity.py`
- tests: `tests/web/test_identity_*.py`, `tests/browser/test_identity_sign_in.py`,
  `tests/peers/` (the local OpenID Connect provider)
"""
