"""Schemathesis against the API's own OpenAPI schema: generated requests, valid and invalid, to
every operation, with a key that may do everything. No answer is a 500, and every answer matches
the schema: its status code, content type, headers and body are ones the schema declares."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, note, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from studio.api.app import create_app
from studio.store.db import Database
from tests.helpers.api import bearer, make_key
from tests.helpers.variants import CLEAN, approved

pytestmark = pytest.mark.usefixtures("rules_dir")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance, negative_data_rejection,
          ignored_auth]  # fmt: skip
HEADER = ParameterLocation.HEADER


@pytest.mark.parametrize("mode", list(GenerationMode))
def test_no_request_breaks_the_api_or_its_schema(
    db: Database, mode: GenerationMode, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over a database with approved copy, so generated ids sometimes hit something real.
    (Operations are walked here rather than with `schema.parametrize`, whose lazy loader does
    not run under pytest 9.2.) It sends hundreds of bad keys from one address on purpose."""
    monkeypatch.setenv("STUDIO_API_AUTH_FAILURE_LIMIT", "100000/minute")
    key = make_key(db, "schemathesis")
    for number in range(3):
        approved(db, CLEAN.replace("routine", f"routine {number}"))
    api_schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(db))
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 14  # every route, the webhook management ones included
    for operation in operations:
        takes_input = operation.path_parameters or operation.query or operation.body
        if mode is GenerationMode.NEGATIVE and not takes_input:
            continue  # /v1/health: nothing to send wrong

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=40, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        def call(case: schemathesis.Case) -> None:
            note(f"{case.operation.label} ({mode})")
            garbled_headers = case.meta is not None and case.meta.is_negative_at(HEADER)
            headers = None if garbled_headers else bearer(key)  # else our key would mend them
            case.call_and_validate(headers=headers, checks=CHECKS)

        call()
