"""Imports every table so that ``Base.metadata`` is complete (Alembic and tests use it)."""

from sgx.audit import models as audit_models
from sgx.catalog import models as catalog_models
from sgx.identity import models as identity_models
from sgx.identity import throttle as identity_throttle
from sgx.integration import links as integration_links
from sgx.integration import models as integration_models
from sgx.integration import reconcile_models as integration_reconcile_models
from sgx.invoicing import models as invoicing_models
from sgx.issuers import models as issuer_models
from sgx.kit.db import Base
from sgx.outbox import models as outbox_models
from sgx.parties import models as party_models

metadata = Base.metadata

__all__ = [
    "audit_models",
    "catalog_models",
    "identity_models",
    "identity_throttle",
    "integration_links",
    "integration_models",
    "integration_reconcile_models",
    "invoicing_models",
    "issuer_models",
    "metadata",
    "outbox_models",
    "party_models",
]
