"""Sessions, CSRF, the access policy and the audit trail."""
