"""Every `STUDIO_*` environment variable, read in one place and validated once.

`settings()` follows the environment on each call, because the CLI, the worker and the tests
change variables between calls in one process; it parses again only when a `STUDIO_*` (or
`OPENAI_*`) variable changed, since parsing costs most of a millisecond and the API asks several
times a request. A bad value is an `InvalidInput` naming the variable, never a traceback from
deep inside a command. Defaults suit a source checkout.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import click
from pydantic import AliasChoices, Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from studio.errors import InvalidInput

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = "gpt-4o-mini"
_WEEK_MINUTES = 7 * 24 * 60
_PREFIXES = ("STUDIO_", "OPENAI_")  # every variable a setting reads
_RATE = r"^\d+\s*(/|per)\s*\d*\s*(second|minute|hour|day)s?$"  # the `limits` notation


class Settings(BaseSettings):
    """The studio's configuration; each field is `STUDIO_<NAME>` in the environment."""

    model_config = SettingsConfigDict(env_prefix="STUDIO_", extra="ignore", env_ignore_empty=True)

    database_url: str | None = Field(None, description="SQLAlchemy URL; default SQLite in data_dir")
    data_dir: Path = Field(REPO_ROOT / "data", description="where the default SQLite file lives")
    rules_dir: Path | None = Field(None, description="the rule packs; else ./brand_rules")
    config_dir: Path | None = Field(None, description="the CLI's sign-ins; else ~/.config/…")
    token: SecretStr | None = Field(None, description="a personal access token for the CLI")
    sqlite_busy_ms: int = Field(5000, ge=0, le=600_000, description="SQLite writers' wait")
    audit_anchors: Path | None = Field(None, description="anchor file; else in data_dir")
    audit_anchor_minutes: float = Field(60, gt=0, le=_WEEK_MINUTES, description="anchor period")
    llm_base_url: str | None = Field(None, description="an OpenAI-compatible endpoint")
    llm_api_key: SecretStr | None = Field(
        None, validation_alias=AliasChoices("STUDIO_LLM_API_KEY", "OPENAI_API_KEY")
    )
    llm_model: str = DEFAULT_MODEL
    llm_timeout: float = Field(60.0, gt=0, le=3600)
    llm_max_retries: int = Field(2, ge=0, le=20)
    llm_concurrency: int = Field(8, ge=1, le=256)
    llm_structured: str = Field("auto", pattern="^(auto|text)$")
    api_rate_limit: str = Field(
        "1200/minute",
        pattern=_RATE,
        description="requests per API key (the `limits` notation, e.g. 1200/minute)",
    )
    api_auth_failure_limit: str = Field(
        "30/minute",
        pattern=_RATE,
        description="failed authentications per client address before it is refused",
    )
    api_rate_storage: str = Field(
        "memory://",
        pattern=r"^(memory|redis|rediss|redis\+unix)://",
        description="where rate limits are counted: memory:// (per process) or redis://host:port "
        "(shared by every API process)",
    )
    api_max_body_bytes: int = Field(1_000_000, ge=1024, le=50_000_000)
    api_threads: int = Field(
        4, ge=1, le=20, description="requests an API process works on at once (its thread pool)"
    )
    api_key_use_flush_seconds: float = Field(
        60, gt=0, le=3600, description="how often an API process writes keys' last use"
    )
    feedback_min_sends: int = Field(100, ge=0, le=10_000_000, description="before reallocating")
    webhook_timeout: float = Field(15.0, gt=0, le=120, description="seconds per delivery")
    # Optional single sign-on through an OpenID Connect provider (st.login): all three set it on.
    oidc_metadata_url: str | None = Field(None, description="the IdP's .well-known URL")
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    ui_url: str | None = Field(None, description="the UI's public URL; else http://host:port")

    @property
    def oidc_configured(self) -> bool:
        return bool(self.oidc_metadata_url and self.oidc_client_id and self.oidc_client_secret)

    def rules_root(self) -> Path:
        """The folder of brand rule packs: the setting, else ./brand_rules, else the repo's."""
        if self.rules_dir is not None:
            return self.rules_dir
        local = Path("brand_rules")
        return local if local.is_dir() else REPO_ROOT / "brand_rules"

    def sqlite_url(self) -> str:
        return f"sqlite:///{self.data_dir / 'studio.db'}"

    def cli_config_dir(self) -> Path:
        """The platform's per-user config folder (`~/.config/content-studio` on Linux)."""
        return self.config_dir or Path(click.get_app_dir("content-studio"))

    def anchor_file(self) -> Path:
        """Point it at storage the database's owner cannot rewrite for anchors to mean much."""
        return self.audit_anchors or self.data_dir / "audit-anchors.jsonl"

    def token_value(self) -> str | None:
        value = self.token.get_secret_value().strip() if self.token else ""
        return value or None


def settings() -> Settings:
    """The settings as the environment says now; a bad value names its variable."""
    relevant = (key for key in os.environ if key.upper().startswith(_PREFIXES))
    return _parsed(tuple(sorted((key, os.environ[key]) for key in relevant)))


@functools.lru_cache(maxsize=16)
def _parsed(_environment: tuple[tuple[str, str], ...]) -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first.get("loc") else "?"
        variable = name if name.startswith(("STUDIO_", "OPENAI_")) else f"STUDIO_{name}"
        raise InvalidInput(f"{variable}={first.get('input')!r}: {first['msg']}") from None


def resolve_pack_dir(name_or_path: str | None) -> Path:
    """A pack given as a path, or as a name under the rules root; none means the baselines."""
    root = settings().rules_root()
    if name_or_path is None:
        return root / "_baseline"
    path = Path(name_or_path)
    if path.is_dir():
        return path
    candidate = root / name_or_path
    return candidate if candidate.is_dir() else path
