"""Who is calling, and what they may do on which issuer.

An unknown issuer and an issuer the caller has no role on look the same (404), so ids of other
customers' data cannot be probed; a role too weak for the action is 403.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sgx.errors import Forbidden, NotFound
from sgx.identity.models import IssuerRole


@dataclass(frozen=True)
class Principal:
    user_id: int
    username: str
    is_support: bool = False
    roles: dict[int, IssuerRole] = field(default_factory=dict)

    def role_on(self, issuer_id: int) -> IssuerRole | None:
        return self.roles.get(issuer_id)

    def can_see(self, issuer_id: int) -> bool:
        return self.is_support or issuer_id in self.roles

    def require(self, issuer_id: int, needed: IssuerRole = IssuerRole.READER) -> None:
        """Raise unless the caller holds ``needed`` (or a stronger role) on the issuer.

        Support may read every issuer but holds no issuer role: it cannot invoice or connect.
        """
        role = self.roles.get(issuer_id)
        if role is None:
            if self.is_support and needed is IssuerRole.READER:
                return
            if self.is_support:
                raise Forbidden()
            raise NotFound("Fakturautställaren finns inte.", code="issuer_not_found")
        if not role.includes(needed):
            raise Forbidden(
                f"Rollen {role.value} räcker inte; det krävs {needed.value}.",
                code="role_insufficient",
            )

    def require_object(self, issuer_id: int, needed: IssuerRole, *, missing: NotFound) -> None:
        """Like ``require`` for an object of the issuer: one the caller cannot see is reported
        ``missing``, exactly like an unknown id."""
        if not self.can_see(issuer_id):
            raise missing
        self.require(issuer_id, needed)

    def require_support(self) -> None:
        if not self.is_support:
            raise Forbidden("Endast Support kan göra detta.", code="support_only")
