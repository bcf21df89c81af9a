"""The platform's declared facts: checked when declared, stated in the log's settings, carried in bundles.

The operator declares who runs the platform (legal name, unified social
credit code, blockchain filing, protection level, its TSA and whether it is
trusted, a neutrality statement) in the service's settings; the log signs
them into a ``log.settings`` entry on start, so a bundle carries them with
the proof that no later settings entry was left out. A mistyped credit code
is refused by its GB 32100-2015 check character; nothing is declared for the
operator by default.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from nacl.signing import SigningKey

from cunzheng.api.app import create_app
from cunzheng.ledger.bodies import LogSettings, PlatformFacts
from cunzheng.ledger.bodies.identifiers import uscc_check_character
from cunzheng.ledger.errors import MalformedInput
from cunzheng.ledger.registry.policy import DEFAULT_POLICY
from cunzheng.ledger.settings import Settings
from tests.conftest import JSON, evidence, registration, server_settings

FACTS: dict[str, Any] = {
    "operator_name": "上海示例数据科技有限公司",
    "credit_code": "91440300708461136T",
    "blockchain_filing": "沪网信备31010000000000号",
    "security_level": 3,
    "security_filing": "31010099999-00001",
    "tsa_name": "Cunzheng built-in TSA",
    "tsa_status": "test",
    "neutrality": "本平台不是任何争议的当事人。The platform is party to no dispute.",
}
SETTINGS = {"publicity_days": 15, "term_days": 30, "systems": {"x": {"certificate": "X\\d+"}}}


@pytest.mark.parametrize(
    "code", ["91440300708461136T", "91330100799655058B", "9144030071526726XG", "91110000802100433B"]
)
def test_published_credit_codes_pass_their_check_character(code: str) -> None:
    assert uscc_check_character(code[:17]) == code[17]
    assert PlatformFacts.parse({"credit_code": code}, "platform").credit_code == code


@pytest.mark.parametrize(
    ("platform", "says"),
    [
        ({"credit_code": "91440300708461136A"}, "check character .* is wrong"),
        ({"credit_code": "9144030070846113OT"}, "is not a 统一社会信用代码"),
        ({"credit_code": "91440300708461136T\n"}, "is not a 统一社会信用代码"),
        ({"credit_code": "9144030070846113\u0663T"}, "is not a 统一社会信用代码"),
        ({"credit_code": 91440300708461136}, "unified social credit code"),
        ({"credit_code": None}, "unified social credit code"),
        ({"security_level": None}, "level from 1 to 5"),
        ({"tsa_status": None}, "trusted, test"),
        ({"security_level": 6}, "level from 1 to 5"),
        ({"security_level": True}, "level from 1 to 5"),
        ({"tsa_status": "accredited"}, "trusted, test"),
        ({"operator_name": None}, "is null"),
        ({"operator_name": "  "}, "non-empty string"),
        ({"founded": "2020"}, "founded"),
        ({}, "at least one fact"),
        (None, "at least one fact"),
    ],
)
def test_a_wrong_fact_is_refused_saying_which(platform: Any, says: str) -> None:
    with pytest.raises(MalformedInput, match=says):
        LogSettings.parse({**SETTINGS, "platform": platform})


def test_declared_facts_round_trip_and_only_declared_ones_are_written() -> None:
    parsed = LogSettings.parse({**SETTINGS, "platform": {"tsa_status": "trusted"}})
    assert parsed.platform == PlatformFacts(tsa_status="trusted")
    assert parsed.platform.body() == {"tsa_status": "trusted"}
    assert LogSettings.parse(SETTINGS).platform is None


def test_nothing_is_declared_by_default() -> None:
    assert Settings().policy() == DEFAULT_POLICY
    assert DEFAULT_POLICY.platform is None


def test_the_log_states_the_facts_on_start_and_bundles_carry_them(
    database_url: str, tmp_path: Path, holder: SigningKey
) -> None:
    settings = server_settings(tmp_path / "data", database_url, platform=FACTS)
    with TestClient(create_app(settings)) as client:
        r = client.post("/v1/statements", content=registration(holder).canonical, headers=JSON)
        assert r.status_code == 201, r.text
        r = client.post("/v1/statements", content=evidence(holder, 0).canonical, headers=JSON)
        assert r.status_code == 201, r.text
        index = r.json()["index"]
        r = client.post("/v1/bundles", content=orjson.dumps({"indexes": [index]}), headers=JSON)
        assert r.status_code == 200, r.text
    stated = [e for e in r.json()["entries"] if e["statement"]["type"] == "log.settings"]
    assert [e["statement"]["body"]["platform"] for e in stated] == [FACTS]
    assert {e["role"] for e in stated} == {"settings"}
    # Started again on the same facts, the log states nothing new.
    with TestClient(create_app(settings)) as client:
        before = client.get("/log/info").json()["size"]
    assert before == index + 1
