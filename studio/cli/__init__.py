"""The `studio` command. Each command group lives in its own module; this file only wires them."""

from __future__ import annotations

import typer

from studio.cli import (
    api,
    audit,
    auth,
    check,
    database,
    demo,
    generate,
    jobs,
    keys,
    rules,
    tokens,
    up,
    users,
    variants,
    webhooks,
    worker,
)

app = typer.Typer(
    help="Generative content studio with governance guardrails.", no_args_is_help=True
)
for group, name in ((rules.app, "rules"), (users.app, "users"), (variants.app, "variants"),
                    (audit.app, "audit"), (jobs.app, "jobs"), (tokens.app, "tokens"),
                    (database.app, "db"), (keys.app, "keys"),
                    (webhooks.app, "webhooks")):  # fmt: skip
    app.add_typer(group, name=name)
for command in (auth.init, auth.login, auth.logout, auth.whoami, check.check, generate.generate,
                worker.worker, up.up, api.api):  # fmt: skip
    app.command()(command)
app.command("demo")(demo.demo)


def main() -> None:
    app()
