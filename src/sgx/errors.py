"""Domain errors: each carries an HTTP status, a stable English code and a Swedish message.

Services raise these; one handler in ``sgx.app`` renders them as JSON or as a Swedish page.
Services never raise ``HTTPException``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FieldError:
    field: str
    code: str
    message: str  # Swedish, shown to the user


@dataclass
class AppError(Exception):
    message: str  # Swedish, shown to the user
    code: str = "error"
    status: int = 400
    field_errors: list[FieldError] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class NotFound(AppError):
    def __init__(self, message: str = "Hittades inte.", code: str = "not_found") -> None:
        super().__init__(message=message, code=code, status=404)


class Forbidden(AppError):
    def __init__(
        self, message: str = "Du saknar behörighet för detta.", code: str = "forbidden"
    ) -> None:
        super().__init__(message=message, code=code, status=403)


class Unauthenticated(AppError):
    def __init__(self, message: str = "Du måste logga in.", code: str = "unauthenticated") -> None:
        super().__init__(message=message, code=code, status=401)


class Conflict(AppError):
    def __init__(self, message: str, code: str = "conflict") -> None:
        super().__init__(message=message, code=code, status=409)


class ValidationFailed(AppError):
    """Bad input: 422 with one message per field."""

    def __init__(
        self, field_errors: list[FieldError], message: str = "Felaktiga uppgifter."
    ) -> None:
        super().__init__(
            message=message, code="validation_failed", status=422, field_errors=field_errors
        )

    @classmethod
    def single(cls, field_name: str, code: str, message: str) -> ValidationFailed:
        return cls([FieldError(field=field_name, code=code, message=message)], message=message)


def raise_if_any(errors: list[FieldError]) -> None:
    """Refuse with every field's message at once, or do nothing when there are none."""
    if errors:
        raise ValidationFailed(errors)
