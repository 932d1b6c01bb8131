"""emcoder review API: a human coder accepts every suggestion before release, on a tamper-evident audit trail.

`create_app(settings)` in `emcoder_api.main` builds the FastAPI application; `emcoder_api.cli`
holds the `serve`, `token create` and `audit verify` commands.
"""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
