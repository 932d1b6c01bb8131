"""Operator commands: `emcoder serve`, `emcoder token create`, `emcoder audit verify`.

The functions are typer commands to register on the main `emcoder` app; `app` bundles them for
`python -m emcoder_api`. Configuration comes from the EMCODER_* environment (see settings.py).
"""

from __future__ import annotations

import getpass
import os
from enum import Enum
from typing import Annotated

import typer

from emcoder_api.settings import Settings


class Role(str, Enum):
    physician = "physician"
    coder = "coder"
    auditor = "auditor"
    admin = "admin"


def _where(settings: Settings) -> str:
    from sqlalchemy.engine import make_url

    return make_url(settings.database_url).render_as_string(hide_password=True)


def serve(
    host: Annotated[str, typer.Option(help="interface to bind; put TLS in front for anything but localhost")]
    = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="worker processes")] = 1,
    preload: Annotated[bool, typer.Option("--preload/--no-preload", help="build the NLP pipeline at start")] = True,
    log_level: Annotated[str, typer.Option(help="uvicorn log level")] = "info",
) -> None:
    """Run the review API (OpenAPI docs at /docs). Creates or upgrades the database first."""
    import uvicorn

    os.environ["EMCODER_PRELOAD_PIPELINE"] = "1" if preload else "0"
    uvicorn.run("emcoder_api.main:create_app", factory=True, host=host, port=port, workers=workers,
                log_level=log_level)


def token_create(
    role: Annotated[Role, typer.Option(help="physician, coder, auditor or admin")],
    tenant: Annotated[str, typer.Option(help="the tenant (organisation) the token acts in")],
    name: Annotated[str | None, typer.Option(help="who holds it; a physician's encounters are theirs by name")]
    = None,
) -> None:
    """Create an API token and print its secret once (stdout); it is stored only as a sha256."""
    from emcoder_api import audit
    from emcoder_api.audit import Actor
    from emcoder_api.db import make_engine, make_sessionmaker, upgrade_schema
    from emcoder_api.services import tokens

    if not tenant.strip() or len(tenant) > 100 or (name is not None and not 1 <= len(name) <= 200):
        typer.echo("emcoder: --tenant must be 1-100 characters and --name 1-200", err=True)
        raise typer.Exit(2)
    settings = Settings()
    engine = make_engine(settings.database_url)
    upgrade_schema(engine)
    operator = Actor(token_id=None, name=f"cli:{getpass.getuser()}", role="operator", tenant=tenant)
    with make_sessionmaker(engine)() as session:
        audit.lock(session)
        token, secret = tokens.issue(session, operator, role.value, tenant, name or f"{role.value}@{tenant}")
        session.commit()
    engine.dispose()
    typer.echo(f"created {token.role} token {token.id} ({token.name}) in tenant {token.tenant} "
               f"at {_where(settings)}; the secret is shown only now:", err=True)
    typer.echo(secret)


def audit_verify() -> None:
    """Recompute the audit hash chain; exit 1 naming the first broken record."""
    from sqlalchemy.exc import SQLAlchemyError

    from emcoder_api import audit
    from emcoder_api.db import make_engine, make_sessionmaker

    settings = Settings()
    engine = make_engine(settings.database_url)
    try:
        with make_sessionmaker(engine)() as session:
            verdict = audit.verify(session)
    except SQLAlchemyError:
        typer.echo(f"emcoder: no readable emcoder database at {_where(settings)}", err=True)
        raise typer.Exit(2) from None
    finally:
        engine.dispose()
    typer.echo(verdict.describe())
    if not verdict.intact:
        raise typer.Exit(1)


app = typer.Typer(add_completion=False, no_args_is_help=True, help="emcoder review API service.")
token_app = typer.Typer(no_args_is_help=True, help="API tokens.")
audit_app = typer.Typer(no_args_is_help=True, help="The audit trail.")
app.command("serve")(serve)
token_app.command("create")(token_create)
audit_app.command("verify")(audit_verify)
app.add_typer(token_app, name="token")
app.add_typer(audit_app, name="audit")
