"""`emcoder token create` and `emcoder audit verify` (the typer functions the main CLI registers)."""

from __future__ import annotations

import typer
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api_helpers import bearer, submit
from emcoder_api.cli import app as cli
from emcoder_api.cli import audit_verify, serve, token_create
from emcoder_api.main import create_app
from emcoder_api.settings import Settings


def test_cli_token_create_prints_a_working_secret_once(database_url, tmp_path):
    env = {"EMCODER_DATABASE_URL": database_url, "EMCODER_DATA_DIR": str(tmp_path)}
    runner = CliRunner()
    made = runner.invoke(cli, ["token", "create", "--role", "physician", "--tenant", "t9", "--name", "dr-cli"], env=env)
    assert made.exit_code == 0, made.output
    secret = made.stdout.strip().splitlines()[-1]
    assert secret.startswith("emc_") and "dr-cli" in made.stderr
    app = create_app(Settings(data_dir=tmp_path, database_url=database_url))
    with TestClient(app) as client:
        enc = submit(client, bearer(secret))
        assert enc["submitted_by"] == "dr-cli"
    with app.state.engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT secret_sha256 FROM api_tokens").scalar_one()
    assert secret not in stored and len(stored) == 64
    app.state.engine.dispose()
    verified = runner.invoke(cli, ["audit", "verify"], env=env)
    assert verified.exit_code == 0 and verified.stdout.strip() == "audit chain intact (2 records)"


def test_cli_refuses_an_unknown_role(tmp_path):
    result = CliRunner().invoke(cli, ["token", "create", "--role", "superuser", "--tenant", "t1"],
                                env={"EMCODER_DATA_DIR": str(tmp_path)})
    assert result.exit_code == 2


def test_cli_functions_register_on_another_typer_app():
    main = typer.Typer()
    token_app, audit_app = typer.Typer(), typer.Typer()
    main.command("serve")(serve)
    token_app.command("create")(token_create)
    audit_app.command("verify")(audit_verify)
    main.add_typer(token_app, name="token")
    main.add_typer(audit_app, name="audit")
    for args in (["serve", "--help"], ["token", "create", "--help"], ["audit", "verify", "--help"]):
        assert CliRunner().invoke(main, args).exit_code == 0
