"""Fortnox's error vocabulary and the shapes it sends them in.

REST errors use the ``ErrorInformation`` wrapper whose key casing differs between endpoints
(``Error/Message/Code`` on not-found, ``error/message/code`` on e.g. an invalid filter). A missing
or expired token answers 401 ``{"message":"unauthorized"}``; OAuth errors use
``{"error","error_description"}`` with odd content types.
"""

from __future__ import annotations

import json

from starlette.responses import Response


class FortnoxApiError(Exception):
    """Raised anywhere under ``/3/``; rendered as an ``ErrorInformation`` body."""

    def __init__(self, status: int, code: int, message: str, *, lowercase: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.lowercase = lowercase

    def body(self) -> dict[str, object]:
        if self.lowercase:
            return {"ErrorInformation": {"error": 1, "message": self.message, "code": self.code}}
        return {"ErrorInformation": {"Error": 1, "Message": self.message, "Code": self.code}}


class Unauthorized(Exception):
    """401 ``{"message":"unauthorized"}``: no, invalid or expired bearer token."""


class OAuthError(Exception):
    def __init__(
        self, status: int, error: str, description: str, *, content_type: str = "application/json"
    ) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description
        self.content_type = content_type

    def response(self) -> Response:
        body = {"error": self.error, "error_description": self.description}
        return Response(json.dumps(body), status_code=self.status, media_type=self.content_type)


# The codes the sandbox uses, named for readability at the raise sites.
SYSTEM_EXCEPTION = 1000003
INVALID_RESPONSE_TYPE = 1000030
INVALID_CONTENT_TYPE = 1000031
VALUE_NOT_ALPHANUMERIC = 2000106
VALUE_TOO_LONG = 2000107
VALUE_NOT_NUMERIC = 2000108
VALUE_NOT_BOOLEAN = 2000134
DISALLOWED_CHARACTERS = 2000359
ACCOUNT_NOT_FOUND = 2000423
CURRENCY_NOT_FOUND = 2000427
ARTICLE_NOT_FOUND = 2000428
TERMS_OF_PAYMENT_NOT_FOUND = 2000429
PRICE_LIST_NOT_FOUND = 2000431
CUSTOMER_NOT_FOUND = 2000433
INVOICE_NOT_FOUND = 2000434
ACCOUNT_NOT_ACTIVE = 2000550
INVALID_FILTER = 2000587
INVALID_PARAMETER = 2000588
CUSTOMER_NUMBER_USED = 2000637
NOT_AUTHORISED_FOR_SCOPE = 2000663
VALID_IDENTIFIER_MISSING = 2000729
NO_LICENCE_FOR_SCOPE = 2001101
API_LICENCE_MISSING = 2001103
COULD_NOT_FIND_ACCOUNT = 2001304
EMPTY_BODY_OR_WRONG_TYPE = 2001392
INVALID_FIELD_NAME = 2001399
JSON_SYNTAX_ERROR = 2002115
