"""`studio api`: serve the publishing API with uvicorn."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
import uvicorn

from studio.cli.support import database, reporting_errors


def api(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8600,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Server processes.")] = 1,
) -> None:
    """Serve the publishing API (OpenAPI docs at /docs)."""
    with reporting_errors():
        database()  # migrate once, here, before any worker process starts
    sys.stderr.write(f"api: http://{host}:{port}/v1 (docs at http://{host}:{port}/docs)\n")
    uvicorn.run("studio.api.app:from_settings", factory=True, host=host, port=port,
                workers=workers, log_level="info", server_header=False)  # fmt: skip
