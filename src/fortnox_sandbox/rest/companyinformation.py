"""`GET /3/companyinformation`: the company behind the token (note ``OrganizationNumber``, z)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from fortnox_sandbox.auth import require_scope
from fortnox_sandbox.backend import AccessContext
from fortnox_sandbox.rest import http

router = APIRouter()


@router.get("/companyinformation")
async def get_company_information(
    request: Request, access: AccessContext = Depends(require_scope("companyinformation"))
) -> Response:
    company = access.company
    return http.single(
        "CompanyInformation",
        {
            "Address": company.address,
            "City": company.city,
            "CompanyName": company.name,
            "CountryCode": "SE",
            "DatabaseNumber": company.tenant_id,
            "OrganizationNumber": company.organisation_number,
            "VisitAddress": company.address,
            "VisitCity": company.city,
            "VisitCountryCode": "SE",
            "VisitZipCode": company.zip_code,
            "ZipCode": company.zip_code,
        },
    )
