"""Users, sessions, issuer roles, API tokens and permission checks."""
