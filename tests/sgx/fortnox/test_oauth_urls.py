"""Pure parts of OAuth: the authorization URL and the tenant id read from the access token."""

from __future__ import annotations

import base64
import json

from sgx.fortnox.oauth import authorization_url, read_token_response, tenant_id_from_access_token


def unsigned_jwt(claims: dict[str, object]) -> str:
    def part(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


def test_authorization_url_matches_fortnox_documented_shape() -> None:
    url = authorization_url(
        base_url="https://apps.fortnox.se/oauth-v1",
        client_id="8VurtMGDTeAI",
        scopes=["article", "bookkeeping", "customer"],
        state="somestate123",
        redirect_uri="https://mysite.test/activation",
    )
    assert url == (
        "https://apps.fortnox.se/oauth-v1/auth?client_id=8VurtMGDTeAI"
        "&redirect_uri=https%3A%2F%2Fmysite.test%2Factivation"
        "&scope=article%20bookkeeping%20customer&state=somestate123"
        "&access_type=offline&response_type=code"
    )


def test_service_account_is_requested_with_account_type() -> None:
    url = authorization_url(
        base_url="https://apps.fortnox.se/oauth-v1/",
        client_id="c",
        scopes=["invoice"],
        state="s",
        service_account=True,
    )
    assert url.endswith("&response_type=code&account_type=service")
    assert "redirect_uri" not in url


def test_tenant_id_is_read_from_the_unverified_token_claim() -> None:
    assert tenant_id_from_access_token(unsigned_jwt({"tenantId": 1234567, "userId": 1})) == 1234567


def test_a_token_that_is_not_a_jwt_has_no_tenant() -> None:
    assert tenant_id_from_access_token("opaque-token") is None
    assert tenant_id_from_access_token("a.!!!.c") is None


def test_token_answer_splits_scopes_and_reads_the_tenant() -> None:
    token = unsigned_jwt({"tenantId": "42"})
    result = read_token_response(
        {
            "access_token": token,
            "refresh_token": "r1",
            "scope": "companyinformation invoice",
            "expires_in": 3600,
            "token_type": "bearer",
        }
    )
    assert result.scopes == ["companyinformation", "invoice"]
    assert (result.tenant_id, result.refresh_token, result.expires_in) == (42, "r1", 3600)


def test_client_credentials_answer_has_no_refresh_token() -> None:
    result = read_token_response({"access_token": unsigned_jwt({}), "expires_in": 3600})
    assert result.refresh_token is None and result.scopes == [] and result.tenant_id is None
