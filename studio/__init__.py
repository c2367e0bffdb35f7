"""The content studio: drafting, review workflow and publishing around the guardrails library."""
