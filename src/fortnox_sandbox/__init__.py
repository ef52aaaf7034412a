"""A local emulator of the Fortnox REST API v3 and its OAuth2 endpoints.

It serves Fortnox's own surface (``/oauth-v1/…``, ``/3/…``) and, when enabled, a control plane
under ``/_sandbox/``. It must never import ``sgx``.
"""
