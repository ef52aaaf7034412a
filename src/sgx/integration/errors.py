"""Why an issuer's Fortnox connection cannot be used right now, as domain errors.

``NoUsableConnection`` and its subclasses are what ``open_client`` and the token provider raise;
the sync engine catches the base class and holds the issuer's transfers until the connection is
usable again. Each carries a stable code and a Swedish message that says what to do.
"""

from __future__ import annotations

from sgx.errors import AppError

LOST_MESSAGE = (
    "Anslutningen till Fortnox har upphört: medgivandet har återkallats i Fortnox eller "
    "förnyelsetoken gäller inte längre. En Administratör behöver ansluta igen."
)


class NoUsableConnection(AppError):
    """The issuer has no Fortnox connection that may be used for transfers."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message=message, code=code, status=409)


class IntegrationDisabled(NoUsableConnection):
    def __init__(self) -> None:
        super().__init__(
            "Fortnox-integrationen är inte aktiverad för fakturautställaren. Kontakta support.",
            "fortnox_integration_disabled",
        )


class NotConnected(NoUsableConnection):
    def __init__(self) -> None:
        super().__init__("Anslutning till Fortnox saknas.", "fortnox_not_connected")


class ConnectionLost(NoUsableConnection):
    def __init__(self) -> None:
        super().__init__(LOST_MESSAGE, "fortnox_connection_lost")


class LicenceMissing(NoUsableConnection):
    def __init__(self, message: str) -> None:
        super().__init__(message, "fortnox_licence_missing")


class NotVerified(NoUsableConnection):
    """Connected, but the checks (organisation number, licences) have not passed yet."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "fortnox_connection_not_verified")


class FortnoxClientRejected(AppError):
    """Fortnox refuses SGX's own client id or secret: a configuration error, not the issuer's."""

    def __init__(self) -> None:
        super().__init__(
            message=(
                "Fortnox godtar inte SGX:s klient-id eller klienthemlighet. Kontakta support."
            ),
            code="fortnox_client_rejected",
            status=502,
        )
