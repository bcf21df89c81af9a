"""A bounded schemathesis run against the app in-process, with every check schemathesis has.

Each operation of /openapi.json gets its coverage cases (boundary values, a
missing required header or parameter, a method it does not declare) and a
few positive and negative examples, derandomized so that CI sees the same
requests every run (docs/api.md says how to run more). Every answer is checked
as ``schemathesis run --checks all`` checks it: no 5xx, a documented status,
body, content type and headers, negative data refused, positive data
accepted, a missing Authorization answered 401, an undeclared method 405 with
``Allow``. A failure names its operation, its phase and check; every one is
collected before the test fails, so one run reports them all.
"""

from __future__ import annotations

import copy
import os
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable

schemathesis = pytest.importorskip("schemathesis")
from schemathesis import GenerationMode, checks  # noqa: E402
from schemathesis.checks import CHECKS, CoverageScenario  # noqa: E402
from schemathesis.core.failures import FailureGroup  # noqa: E402
from schemathesis.generation.drivers import CoverageGenerator  # noqa: E402
from schemathesis.generation.feedback import NO_FEEDBACK  # noqa: E402
from schemathesis.generation.overrides import Override  # noqa: E402
from schemathesis.python.asgi import ASGIClient  # noqa: E402

from cunzheng.ledger.tsa import QUERY_MEDIA_TYPE  # noqa: E402


@schemathesis.serializer(QUERY_MEDIA_TYPE)
def _der(ctx: Any, value: Any) -> bytes:
    """Send a generated TimeStampReq body as it is: bytes (or text, encoded)."""
    return value if isinstance(value, bytes) else str(value).encode()


# Small and fixed: about 25 operations x 2 modes x this many examples, plus the coverage
# cases, stays well under a minute.
MAX_EXAMPLES = int(os.environ.get("CUNZHENG_FUZZ_EXAMPLES", "8"))
# The coverage phase's negative cases, but for the scenarios below, are thousands (a 400
# each): every operation gets this many of them.
NEGATIVE_COVERAGE = int(os.environ.get("CUNZHENG_FUZZ_NEGATIVE_COVERAGE", "12"))
# The scenarios that only the coverage phase makes, all of them sent.
COVERAGE_ONLY = {CoverageScenario.MISSING_PARAMETER, CoverageScenario.UNSPECIFIED_HTTP_METHOD}
# Every check, as `schemathesis run --checks all` runs them.
ALL_CHECKS = CHECKS.get_all()
# Requests that the document cannot tell from valid ones, since OpenAPI has no way to say
# their rule, and the refusal (status, error code) the service answers them with.
UNDECLARABLE: dict[str, set[tuple[int, str]]] = {
    # Exactly one of the query parameters index and leaf_hash.
    "GET /log/proof/inclusion": {(400, "malformed_input")},
    # A signature must verify, and its signer be a registered party; asset.apply's
    # cross-member rules are left out of what is generated (_generatable).
    "POST /v1/statements": {(400, "malformed_input"), (422, "invalid_signature")},
    "POST /v1/statements/batch": {(400, "malformed_input"), (422, "invalid_signature")},
}
# A receipt must be one the log signed, of an entry it holds.
UNDECLARABLE["POST /v1/bundles"] = {(400, "malformed_input"), (422, "invalid_proof")}


def _run(case_strategy: Any, call: Callable[[Any], None]) -> None:
    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=case_strategy)
    def explore(case: Any) -> None:
        call(case)

    explore()


def _coverage(operation: Any) -> Iterator[Any]:
    """Yield the coverage cases of *operation* as the CLI's coverage phase makes them, negative ones bounded."""
    config = operation.schema.config.generation_for(operation=operation, phase="coverage")
    negative = 0
    for case in CoverageGenerator(
        operation=operation,
        generation_modes=list(GenerationMode),
        generation_config=config,
        auth_storage=None,
        override=Override(),
        feedback=NO_FEEDBACK,
    ):
        if case.meta.generation.mode.is_positive or case.meta.phase.data.scenario in COVERAGE_ONLY:
            yield case
        elif negative < NEGATIVE_COVERAGE:
            negative += 1
            yield case


def _checks_for(case: Any, response: Any) -> list[Any]:
    """Return the checks *response* to *case* must pass: all, unless it is an undeclarable refusal."""
    refusals = UNDECLARABLE.get(case.operation.label, set())
    if (response.status_code, _error_code(response)) in refusals:
        return [c for c in ALL_CHECKS if c is not checks.positive_data_acceptance]
    return ALL_CHECKS


def _error_code(response: Any) -> str | None:
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return None
    return body.get("error") if isinstance(body, dict) else None


def test_schemathesis_with_every_check_finds_nothing(client: TestClient) -> None:
    """Coverage cases and positive and negative examples of every operation pass every check."""
    schema = schemathesis.openapi.from_dict(_generatable(client.app.openapi()))
    # The app's lifespan is running under `client`; this session reaches the same app in-process.
    session = ASGIClient(client.app)
    failures: list[str] = []
    seen: Counter[int] = Counter()
    tested = 0

    def call(case: Any) -> None:
        response = case.call(base_url="http://testserver", session=session)
        seen[response.status_code] += 1
        case.validate_response(response, checks=_checks_for(case, response))

    for result in schema.get_all_operations():
        operation = result.ok()
        tested += 1
        for case in _coverage(operation):
            try:
                call(case)
            except (Exception, FailureGroup) as e:  # noqa: BLE001 - collected, then reported
                failures.append(f"{operation.label} [coverage]: {_summary(e)}")
        for mode in GenerationMode:
            try:
                _run(operation.as_strategy(generation_mode=mode), call)
            except Unsatisfiable:
                # Nothing to negate: no parameter or body has a schema a value can break.
                assert mode is GenerationMode.NEGATIVE, operation.label
            except (Exception, FailureGroup) as e:  # noqa: BLE001 - collected, then reported
                failures.append(f"{operation.label} [{mode.value}]: {_summary(e)}")
    print(
        f"schemathesis: {tested} operations, {sum(seen.values())} requests, statuses {dict(seen)}"
    )
    assert tested >= 20
    assert 405 in seen and 401 in seen, (
        "the coverage cases reach undeclared methods and unsigned reads"
    )
    assert not failures, "\n\n".join(failures)


def _generatable(document: dict[str, Any]) -> dict[str, Any]:
    """Return *document* with asset.apply's cross-member rules left out, which no generator supports.

    The rules (every particular stated, publicly or committed, never both) are
    checked in tests/api/test_openapi.py; left out here, the fuzzer only sends more
    bodies that the service refuses with a documented 400.
    """
    document = copy.deepcopy(document)
    schemas = document["components"]["schemas"]
    schemas["AssetApplyBody"] = {k: v for k, v in schemas["AssetApplyBody"].items() if k != "allOf"}
    return document


def _summary(error: BaseException) -> str:
    """Return what a failure found: each check's title and what was received, on one line each."""
    if isinstance(error, FailureGroup):
        return "; ".join(f"{f.title}: {f.message}".replace("\n", " ") for f in error.exceptions)
    return str(error)
