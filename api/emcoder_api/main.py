"""`create_app(settings)`: the FastAPI application, its database and its error handlers.

Every error leaves as {"error": {"code", "message", "field"?}}. Client mistakes are 4xx, never
500; messages and logs name fields and codes, never note text (validation errors are rendered
without their `input`, unhandled errors are logged without their message or locals).
"""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException

from emcoder.errors import EmcoderError, InputError
from emcoder_api import __version__
from emcoder_api.crypto import Protector, SealError
from emcoder_api.db import make_engine, make_sessionmaker, upgrade_schema
from emcoder_api.errors import ApiError, IdempotentReplay
from emcoder_api.limits import BodyLimit
from emcoder_api.routes import admin, audit, encounters, health, items, release
from emcoder_api.settings import Settings

log = logging.getLogger("emcoder_api")
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,39}$")

HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 406: "not_acceptable", 413: "request_too_large",
              415: "unsupported_media_type"}


def _error(status: int, code: str, message: str, field: str | None = None, **extra: Any) -> JSONResponse:
    return JSONResponse(ApiError(status, code, message, field, **extra).body(), status_code=status)


def _field(loc: tuple[Any, ...]) -> str:
    """The field path; a client-chosen key (an unknown field) is shown only if it looks like a name."""
    parts = [p if isinstance(p, int) or NAME.match(str(p)) else "(unknown field)" for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    return ".".join(str(p) for p in parts) or "body"


async def on_validation(_: Request, exc: RequestValidationError) -> JSONResponse:
    errs = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errs):
        return _error(422, "malformed_json", "the request body is not valid JSON", "body")
    # Only location, message and type: `input` (which may be note text) and `ctx` are dropped.
    details = [{"field": _field(tuple(e.get("loc", ()))), "message": str(e.get("msg", "")),
                "type": str(e.get("type", ""))} for e in errs[:20]]
    first = details[0] if details else {"field": "body", "message": "invalid request"}
    return _error(422, "validation_error", f"{first['field']}: {first['message']}", first["field"], details=details)


async def on_api_error(_: Request, exc: ApiError) -> JSONResponse:
    return JSONResponse(exc.body(), status_code=exc.status)


async def on_replay(_: Request, exc: IdempotentReplay) -> JSONResponse:
    return JSONResponse(exc.body, status_code=exc.status, headers={"Idempotent-Replayed": "true"})


async def on_input_error(_: Request, exc: InputError) -> JSONResponse:
    status = 413 if exc.error_code == "note_too_large" else 422
    return _error(status, exc.error_code, exc.message, exc.field)


async def on_http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
    if exc.status_code == 400:  # FastAPI's "error parsing the body": the body is malformed
        return _error(422, "malformed_body", "the request body could not be parsed", "body")
    code = HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}")
    message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
    return JSONResponse(ApiError(exc.status_code, code, message).body(), status_code=exc.status_code,
                        headers=getattr(exc, "headers", None))


async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    # Type and frames only: an exception's message or locals could carry note text.
    frames = "".join(traceback.format_tb(exc.__traceback__))
    log.error("unhandled %s on %s %s\n%s", type(exc).__name__, request.method, _route(request), frames)
    if isinstance(exc, SealError):
        return _error(500, "storage_key_error", str(exc))
    if isinstance(exc, EmcoderError):
        return _error(500, "analysis_failed", "the analysis failed; see the server log")
    return _error(500, "internal_error", "internal error; see the server log")


def _route(request: Request) -> str:
    route = request.scope.get("route")
    return getattr(route, "path", "?")


def operation_id(route: APIRoute) -> str:
    """Clean operation ids for generated clients: `<tag>-<function name>`."""
    return f"{route.tags[0]}-{route.name}" if route.tags else route.name


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app: create or upgrade the database schema, then wire routes and handlers."""
    settings = settings or Settings()
    engine = make_engine(settings.database_url)
    upgrade_schema(engine)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if settings.preload_pipeline:
            from emcoder_api.services.analysis import warm_up

            warm_up()
        yield
        engine.dispose()

    app = FastAPI(title="emcoder review API", version=__version__, lifespan=lifespan,
                  generate_unique_id_function=operation_id,
                  description="Suggestions from emcoder, accepted by a human coder before release, "
                              "on a tamper-evident audit trail. Authenticate with `Authorization: Bearer <token>`.")
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = make_sessionmaker(engine)
    app.state.protector = Protector(settings.fernet_keys())
    # JSON escapes can make a note up to 6x longer on the wire; the exact limit is on the note.
    app.add_middleware(BodyLimit, max_bytes=6 * settings.max_note_bytes + 65_536)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(ApiError, on_api_error)
    app.add_exception_handler(IdempotentReplay, on_replay)
    app.add_exception_handler(InputError, on_input_error)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_unexpected)
    for module in (encounters, items, release, audit, admin, health):
        app.include_router(module.router)
    return app
