"""`python -m emcoder_api serve|token create|audit verify` (the same commands as `emcoder ...`)."""

from emcoder_api.cli import app

app(prog_name="emcoder_api")
