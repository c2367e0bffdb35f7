"""Which drafter to use: the OpenAI-compatible one when an endpoint or key is configured (or
asked for), else the offline drafter, which says plainly that it is not an LLM."""

from __future__ import annotations

from studio.drafting.openai_provider import LLMSettings, OpenAIProvider
from studio.drafting.provider import Provider
from studio.errors import InvalidInput

PROVIDERS = ("offline", "openai")


def default_provider_name() -> str:
    return "openai" if LLMSettings.from_env().configured else "offline"


def make_provider(name: str | None = None) -> Provider:
    name = name or default_provider_name()
    if name == "offline":
        from studio.drafting.offline import OfflineDrafter

        return OfflineDrafter()
    if name == "openai":
        settings = LLMSettings.from_env()
        if not settings.configured:
            raise InvalidInput(
                "the openai provider needs STUDIO_LLM_BASE_URL (any OpenAI-compatible server) "
                "and/or STUDIO_LLM_API_KEY (or OPENAI_API_KEY); without them, use the offline "
                "drafter"
            )
        return OpenAIProvider(settings)
    raise InvalidInput(f"unknown provider {name!r} (one of: {', '.join(PROVIDERS)})")


OFFLINE_DESCRIPTION = "offline drafter (composed from the brief by templates; not an LLM)"


def describe(provider: Provider) -> str:
    """One line for people: what drafted this copy."""
    if not provider.is_llm:
        return OFFLINE_DESCRIPTION
    settings = getattr(provider, "settings", None)
    if isinstance(settings, LLMSettings):
        return f"LLM {settings.model} at {settings.endpoint}"
    return provider.name


def configured_drafter() -> str:
    """What drafting would use now, without connecting to anything (for the UI's sidebar)."""
    settings = LLMSettings.from_env()
    if not settings.configured:
        return OFFLINE_DESCRIPTION
    return f"LLM {settings.model} at {settings.endpoint}"
