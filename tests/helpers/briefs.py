"""A brief to draft from, and the replies a scripted LLM gives for it."""

from __future__ import annotations

import json
from typing import Any

from studio.drafting.brief import Brief, parse_brief
from tests.helpers.fake_openai import Reply

BRIEF: dict[str, Any] = {
    "brand": "brightleaf",
    "campaign": "Winter routine",
    "segments": [{"name": "commuters", "description": "Busy commuters who skip breakfast"}],
    "product": "Daily magnesium",
    "key_message": "A simple daily routine",
    "cta": {"text": "Shop now", "url": "https://brightleaf.example/magnesium"},
    "channels": [{"channel": "sms", "count": 2}, {"channel": "email", "count": 1}],
    "claims": ["magnesium-fatigue"],
}
CLEAN_SMS = "Brightleaf: our daily magnesium fits your routine. Reply STOP to opt out"
CURE_SMS = "Brightleaf: a guaranteed cure for winter tiredness. Reply STOP to opt out"
CLEAN_EMAIL = {
    "subject": "A simple daily routine",
    "preheader": "Daily magnesium for busy mornings, from Brightleaf",
    "body": 'Hi {{ first_name | default: "there" }},\n\nOur daily magnesium fits a busy morning.'
    "\n\nShop now: https://brightleaf.example/magnesium\n\nThese statements have not been "
    "evaluated by the Food and Drug Administration. This product is not intended to diagnose, "
    "treat, cure, or prevent any disease.\n\nUnsubscribe: {{ unsubscribe_url }}\n"
    "{{ postal_address }}",
}


def channel_of(request: dict[str, Any]) -> str:
    first_user = next(m["content"] for m in request["messages"] if m["role"] == "user")
    return "sms" if "SMS" in first_user.splitlines()[0] else "email"


def is_repair(request: dict[str, Any]) -> bool:
    return "compliance check found problems" in request["messages"][-1]["content"]


def copy_reply(request: dict[str, Any], sms: str = CLEAN_SMS) -> Reply:
    fields = {"body": sms} if channel_of(request) == "sms" else CLEAN_EMAIL
    return Reply(content=json.dumps(fields))


def brief(**changes: Any) -> Brief:
    return parse_brief({**BRIEF, **changes})
