"""HTML pages of the Fortnox connection: the issuer's Fortnox page, "Anslut", the OAuth callback,
"Kontrollera igen", the organisation-number confirmation, "Fortsätt nummerserien", "Koppla från"
and the setting "Bokför fakturor i Fortnox automatiskt".

Everyone who may see the issuer sees the status; only its Administratör may change anything.
The request's own transaction is committed before the checks against Fortnox run, because they
open short transactions of their own (on SQLite every transaction holds the write lock).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from sgx.errors import ValidationFailed
from sgx.fortnox import FortnoxError
from sgx.identity.models import IssuerRole
from sgx.identity.principal import Principal
from sgx.identity.web import PagePrincipal
from sgx.integration import connect, service
from sgx.integration.errors import ConnectionLost, NoUsableConnection
from sgx.integration.gateway import FortnoxGateway, gateway_of
from sgx.integration.models import AccountType, ConnectionState
from sgx.integration.number_clash import number_clash
from sgx.integration.repository import connection_of, queue_counts
from sgx.integration.status import describe
from sgx.integration.verification import verify_connection
from sgx.issuers import service as issuers
from sgx.issuers.schemas import IssuerUpdate
from sgx.web.csrf import verify_csrf
from sgx.web.deps import DbSession
from sgx.web.templating import templates

router = APIRouter()

# Messages after a redirect, chosen by key so that nothing from the URL is echoed: (tone, text).
NOTICES: dict[str, tuple[str, str]] = {
    "ansluten": ("ok", "Anslutningen till Fortnox är klar och kontrollerad."),
    "kontrollerad": ("ok", "Anslutningen har kontrollerats."),
    "licens-saknas": ("error", "Anslutningen sparades, men licenser saknas i Fortnox."),
    "bekrafta": (
        "error",
        "Organisationsnumret i Fortnox skiljer sig från fakturautställarens. Anslutningen "
        "används inte förrän en Administratör har bekräftat den.",
    ),
    "ej-kontrollerad": (
        "error",
        "Anslutningen sparades men kunde inte kontrolleras. Klicka på ”Kontrollera igen”.",
    ),
    "upphort": ("error", "Anslutningen till Fortnox har upphört. Anslut igen."),
    "ej-ansluten": ("error", "Fakturautställaren är inte ansluten till Fortnox."),
    "avbruten": ("error", "Anslutningen avbröts i Fortnox. Inget har sparats."),
    "fel-vid-anslutning": (
        "error",
        "Fortnox godkände inte anslutningen. Inget har sparats. Försök igen.",
    ),
    "annat-foretag": (
        "error",
        "Du valde ett annat Fortnox-företag än det fakturautställaren redan är ansluten till. "
        "Inget har sparats. Koppla från först om ni vill byta företag.",
    ),
    "bokforing-pa": (
        "ok",
        "Fakturor och krediteringar bokförs nu i Fortnox när de överförs.",
    ),
    "bokforing-av": (
        "ok",
        "Fakturor lämnas nu obokförda i Fortnox. En kreditering bokför ändå originalfakturan "
        "först, eftersom Fortnox bara krediterar bokförda fakturor.",
    ),
    "bekraftad": ("ok", "Anslutningen är bekräftad trots att organisationsnumren skiljer sig."),
    "bekraftelse-saknas": ("error", "Kryssa i rutan för att bekräfta."),
    "anslutning-avbruten": (
        "ok",
        "Anslutningen avbröts. Förnyelsetoken har återkallats och uppgifterna är raderade.",
    ),
    "frankopplad": (
        "ok",
        "Fortnox är frånkopplat. Förnyelsetoken har återkallats och de lagrade uppgifterna "
        "är raderade.",
    ),
    "frankopplad-service": (
        "ok",
        "Fortnox är frånkopplat och de lagrade uppgifterna är raderade. Servicekontots "
        "medgivande tas bort i Fortnox av en systemadministratör.",
    ),
    "serie-fortsatt": ("ok", "Nummerserien fortsätter från det nya numret."),
    "serie-ogiltig": (
        "error",
        "Nummerserien kan bara fortsätta från ett heltal som inte är lägre än SGX nästa "
        "fakturanummer. Inget har ändrats.",
    ),
    "frankopplad-ej-aterkallad": (
        "ok",
        "Fortnox är frånkopplat och de lagrade uppgifterna är raderade. Förnyelsetoken kunde "
        "inte återkallas hos Fortnox just nu; den kan inte längre användas av SGX.",
    ),
}
REFUSAL_NOTICES = {"code_exchange": "fel-vid-anslutning", "other_company": "annat-foretag"}
STATE_NOTICES = {
    ConnectionState.CONNECTED: "ansluten",
    ConnectionState.LICENCE_MISSING: "licens-saknas",
    ConnectionState.PENDING_CONFIRMATION: "bekrafta",
    ConnectionState.UNVERIFIED: "ej-kontrollerad",
    ConnectionState.LOST: "upphort",
    ConnectionState.NOT_CONNECTED: "ej-ansluten",
}


def _gateway(request: Request) -> FortnoxGateway:
    return gateway_of(request.app)


def _back(issuer_id: int, notice: str) -> RedirectResponse:
    return RedirectResponse(f"/issuers/{issuer_id}/fortnox?meddelande={notice}", status_code=303)


@router.get("/issuers/{issuer_id}/fortnox")
async def fortnox_page(
    request: Request, issuer_id: int, session: DbSession, principal: PagePrincipal
) -> Response:
    issuer = await issuers.get_issuer(session, principal=principal, issuer_id=issuer_id)
    connection = await connection_of(session, issuer_id=issuer_id)
    status = describe(issuer, connection, await queue_counts(session, issuer_id=issuer_id))
    role = principal.role_on(issuer_id)
    return templates.TemplateResponse(
        request,
        "integration/fortnox.html",
        {
            "issuer": issuer,
            "status": status,
            "can_manage": role is IssuerRole.ADMIN,
            "clash": await number_clash(session, issuer_id=issuer_id),
            "notice": NOTICES.get(request.query_params.get("meddelande", "")),
        },
    )


@router.post("/issuers/{issuer_id}/fortnox/invoice-series", dependencies=[Depends(verify_csrf)])
async def continue_invoice_series(
    request: Request, issuer_id: int, session: DbSession, principal: PagePrincipal
) -> Response:
    """Let SGX's series continue above the numbers Fortnox has taken (see ``number_clash``)."""
    principal.require(issuer_id, IssuerRole.ADMIN)
    raw = str((await request.form()).get("next_invoice_number", "")).strip()
    if not raw.isdigit():
        return _back(issuer_id, "serie-ogiltig")
    try:
        await issuers.continue_invoice_series(
            session, principal=principal, issuer_id=issuer_id, next_number=int(raw)
        )
    except ValidationFailed:
        return _back(issuer_id, "serie-ogiltig")
    await session.commit()
    return _back(issuer_id, "serie-fortsatt")


@router.post("/issuers/{issuer_id}/fortnox/connect", dependencies=[Depends(verify_csrf)])
async def start_connecting(
    request: Request, issuer_id: int, session: DbSession, principal: PagePrincipal
) -> Response:
    principal.require(issuer_id, IssuerRole.ADMIN)
    chosen = str((await request.form()).get("account_type", ""))
    account_type = AccountType.PERSONAL if chosen == "personal" else AccountType.SERVICE
    nonce = request.session.get(connect.SESSION_NONCE_KEY) or connect.new_session_nonce()
    request.session[connect.SESSION_NONCE_KEY] = nonce
    url = await connect.begin_authorization(
        session,
        _gateway(request),
        principal=principal,
        issuer_id=issuer_id,
        account_type=account_type,
        session_nonce=nonce,
    )
    await session.commit()
    return RedirectResponse(url, status_code=303)


@router.get("/fortnox/callback")
async def oauth_callback(
    request: Request, session: DbSession, principal: PagePrincipal
) -> Response:
    params = request.query_params
    try:
        claimed = await connect.claim_state(
            session,
            state=params.get("state", ""),
            session_nonce=request.session.get(connect.SESSION_NONCE_KEY),
            principal=principal,
        )
    except connect.CallbackRefused as refusal:
        if refusal.issuer_id is not None and principal.can_see(refusal.issuer_id):
            await connect.record_refusal(
                session, principal=principal, issuer_id=refusal.issuer_id, reason=refusal.code
            )
        await session.commit()  # a refused state stays spent
        return templates.TemplateResponse(
            request, "integration/callback_refused.html", {"refusal": refusal}, status_code=400
        )
    issuer_id = claimed.issuer_id
    code = params.get("code", "")
    if params.get("error") or not code:
        denied = params.get("error") == "access_denied"
        reason = "denied" if denied else "fortnox_error"
        await connect.record_refusal(
            session, principal=principal, issuer_id=issuer_id, reason=reason
        )
        await session.commit()
        return _back(issuer_id, "avbruten" if denied else "fel-vid-anslutning")
    await session.commit()  # the state is spent whatever happens next
    refused = await connect.finish_connection(
        session, _gateway(request), claimed=claimed, code=code, principal=principal
    )
    await session.commit()  # the new tokens are stored before anything uses them
    if refused is not None:
        return _back(issuer_id, REFUSAL_NOTICES[refused])
    return _back(issuer_id, await _verify(request, issuer_id, principal))


@router.post("/issuers/{issuer_id}/fortnox/verify", dependencies=[Depends(verify_csrf)])
async def verify_again(
    request: Request, issuer_id: int, session: DbSession, principal: PagePrincipal
) -> Response:
    await issuers.get_issuer(
        session, principal=principal, issuer_id=issuer_id, needed=IssuerRole.ADMIN
    )
    await session.commit()
    notice = await _verify(request, issuer_id, principal)
    return _back(issuer_id, "kontrollerad" if notice == "ansluten" else notice)


async def _verify(request: Request, issuer_id: int, principal: Principal) -> str:
    try:
        state = await verify_connection(
            request.app.state.session_factory,
            _gateway(request),
            issuer_id=issuer_id,
            actor=principal.username,
            actor_user_id=principal.user_id,
        )
    except ConnectionLost:
        return "upphort"
    except NoUsableConnection:
        return "ej-ansluten"
    except FortnoxError:
        return "ej-kontrollerad"
    return STATE_NOTICES[state]


@router.post("/issuers/{issuer_id}/fortnox/confirm", dependencies=[Depends(verify_csrf)])
async def confirm_mismatch(
    request: Request, issuer_id: int, session: DbSession, principal: PagePrincipal
) -> Response:
    principal.require(issuer_id, IssuerRole.ADMIN)
    if (await request.form()).get("confirm") != "true":
        return _back(issuer_id, "bekraftelse-saknas")
    await service.confirm_mismatch(session, principal=principal, issuer_id=issuer_id)
    await session.commit()
    return _back(issuer_id, "bekraftad")


@router.post("/issuers/{issuer_id}/fortnox/booking", dependencies=[Depends(verify_csrf)])
async def set_booking(
    request: Request, issuer_id: int, session: DbSession, principal: PagePrincipal
) -> Response:
    principal.require(issuer_id, IssuerRole.ADMIN)
    books = (await request.form()).get("book_invoices_in_fortnox") == "true"
    await issuers.update_issuer(
        session,
        principal=principal,
        issuer_id=issuer_id,
        changes=IssuerUpdate(book_invoices_in_fortnox=books),
    )
    await session.commit()
    return _back(issuer_id, "bokforing-pa" if books else "bokforing-av")


@router.post("/issuers/{issuer_id}/fortnox/cancel", dependencies=[Depends(verify_csrf)])
async def cancel_pending(
    request: Request, issuer_id: int, session: DbSession, principal: PagePrincipal
) -> Response:
    await service.cancel_pending(
        session, _gateway(request), principal=principal, issuer_id=issuer_id
    )
    await session.commit()
    return _back(issuer_id, "anslutning-avbruten")


@router.post("/issuers/{issuer_id}/fortnox/disconnect", dependencies=[Depends(verify_csrf)])
async def disconnect(
    request: Request, issuer_id: int, session: DbSession, principal: PagePrincipal
) -> Response:
    outcome = await service.disconnect(
        session, _gateway(request), principal=principal, issuer_id=issuer_id
    )
    await session.commit()
    if outcome.revoked is False:
        return _back(issuer_id, "frankopplad-ej-aterkallad")
    if outcome.revoked is None:
        return _back(issuer_id, "frankopplad-service")
    return _back(issuer_id, "frankopplad")
