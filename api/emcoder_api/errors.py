"""API errors with stable snake_case codes; `main.py` renders them as {"error": {...}}.

Messages name fields and codes, never note text.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, field: str | None = None,
                 **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.extra = extra

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field is not None:
            error["field"] = self.field
        error.update(self.extra)
        return {"error": error}


class IdempotentReplay(Exception):
    """Raised when a request repeats an earlier one: answer with the stored response."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__("idempotent replay")
        self.status = status
        self.body = body


def not_found(kind: str) -> ApiError:
    return ApiError(404, f"{kind}_not_found", f"no such {kind}")


def conflict(code: str, message: str, **extra: Any) -> ApiError:
    return ApiError(409, code, message, **extra)


def invalid(code: str, message: str, field: str | None = None) -> ApiError:
    return ApiError(422, code, message, field=field)
