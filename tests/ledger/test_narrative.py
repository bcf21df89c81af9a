"""The narrative of a bundle: parties by name and role, every signer, licence terms, timelines, evidence, platform."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cunzheng.ledger.verify import parse_bundle, verify_bundle
from cunzheng.ledger.verify.narrative import narrative_json
from cunzheng.ledger.verify.narrative_time import dual_time
from tests.ledger.test_narrative_world import PLATFORM, Case, cases, open_world, story


@pytest.fixture(scope="module")
def told(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, Any], Case]]:
    """The narrative of the whole story's bundle, and the bundle's case."""
    w, store = open_world(tmp_path_factory.mktemp("told"))
    try:
        case = cases(w, story(w))[0]
        yield narrative_json(parse_bundle(case.bundle), case.report), case
    finally:
        w.log.stop()
        store.close()


def _named(narrative: dict[str, Any]) -> dict[str, str]:
    return {p["id"]: p["name"] for p in narrative["parties"]}


def _event(narrative: dict[str, Any], type_: str) -> dict[str, Any]:
    return next(e for e in narrative["events"] if e["type"] == type_)


@pytest.mark.parametrize(
    ("utc", "shown"),
    [
        (
            "2026-11-30T02:00:00.000000Z",
            "2026-11-30 10:00:00 (北京时间) / 2026-11-30 02:00:00 UTC",
        ),
        (
            "2026-12-31T20:30:00.250000Z",
            "2027-01-01 04:30:00.25 (北京时间) / 2026-12-31 20:30:00.25 UTC",
        ),
        ("2028-02-28T16:00:00Z", "2028-02-29 00:00:00 (北京时间) / 2028-02-28 16:00:00 UTC"),
    ],
)
def test_times_are_shown_in_beijing_time_with_utc_beside(utc: str, shown: str) -> None:
    assert dual_time(utc) == shown


def test_a_transfer_names_every_signer_in_its_role(told: tuple[dict[str, Any], Case]) -> None:
    narrative, _ = told
    names = _named(narrative)
    transfer = _event(narrative, "asset.transfer")
    signed = [(names[s["party"]], s["role"], s["signed"]) for s in transfer["signers"]]
    assert sorted(signed) == sorted(
        [
            ("数据持有有限公司", "holder", "signer"),
            ("Shanghai Data Exchange", "registrar", "cosigner"),
            ("Buyer Ltd", "new_holder", "cosigner"),
        ]
    )
    pledge, release = _event(narrative, "asset.pledge"), _event(narrative, "asset.release")
    assert [(names[s["party"]], s["role"]) for s in pledge["signers"]][1] == ("Bank", "pledgee")
    assert [(names[s["party"]], s["role"]) for s in release["signers"]] == [("Bank", "pledgee")]


def test_a_licence_is_given_with_its_terms_and_acceptance(
    told: tuple[dict[str, Any], Case],
) -> None:
    narrative, _ = told
    names = _named(narrative)
    (licence,) = narrative["licences"]
    assert names[licence["licensor"]] == "数据持有有限公司"
    assert names[licence["licensee"]] == "Buyer Ltd"
    assert (licence["kind"], licence["scope"], licence["territory"]) == (
        "exclusive",
        ["analytics", "navigation"],
        ["CN-31"],
    )
    assert licence["end"]["shown"].endswith("UTC") and "北京时间" in licence["end"]["shown"]
    assert licence["accepted_at"] == _event(narrative, "licence.accept")["index"]
    assert licence["terminated_at"] is None


def test_an_asset_has_a_dated_timeline_in_log_order(told: tuple[dict[str, Any], Case]) -> None:
    narrative, _ = told
    (timeline,) = narrative["timelines"]
    assert timeline["name"] == "Traffic flows 2025"
    assert [e["type"] for e in timeline["events"]] == [
        "asset.apply",
        "asset.publicize",
        "asset.register",
        "licence.grant",
        "licence.accept",
        "asset.pledge",
        "asset.release",
        "asset.transfer",
    ]


def test_parties_carry_who_registered_them_and_their_status(
    told: tuple[dict[str, Any], Case],
) -> None:
    narrative, _ = told
    by_name = {p["name"]: p for p in narrative["parties"]}
    operator = by_name["Operator"]["id"]
    assert by_name["Shanghai Data Exchange"]["registered_by"] == operator
    assert by_name["Shanghai Data Exchange"]["status"] == "verified"
    assert by_name["Buyer Ltd"]["status"] == "self_declared"
    roles = {r["role"] for r in by_name["Buyer Ltd"]["roles"]}
    assert {"licensee", "new_holder", "registrant"} <= roles
    holder = by_name["数据持有有限公司"]
    assert holder["registry_id_type"] == "uscc" and len(holder["registry_id"]) == 18


def test_evidence_shows_files_matched_and_disclosed_records(
    told: tuple[dict[str, Any], Case],
) -> None:
    narrative, _ = told
    contract, dataset = narrative["evidence"]
    assert contract["files"] == ["contract.txt"] and contract["established"]
    assert contract["times"]["status"] == "entry_time.none"
    assert contract["times"]["tsa"] is None
    (record,) = dataset["disclosed"]
    assert record["item"] == "#1" and '\\"S20\\"' in record["content"]


def test_the_platform_facts_are_those_declared_and_null_otherwise(
    told: tuple[dict[str, Any], Case],
) -> None:
    narrative, _ = told
    platform = narrative["platform"]
    assert platform["proved"]
    assert {k: platform[k] for k in PLATFORM} == PLATFORM
    assert platform["security_filing"] is None and platform["tsa_name"] is None


def test_the_narrative_is_plain_json(told: tuple[dict[str, Any], Case]) -> None:
    narrative, _ = told
    assert json.loads(json.dumps(narrative, ensure_ascii=False)) == narrative


def test_an_altered_registration_leaves_its_party_unproved(
    told: tuple[dict[str, Any], Case], tmp_path: Path
) -> None:
    _, case = told
    bundle = json.loads(case.bundle)
    entry = next(
        e
        for e in bundle["entries"]
        if e["statement"]["type"] == "party.register"
        and e["statement"]["body"]["name"] == "Buyer Ltd"
    )
    entry["statement"]["body"]["name"] = "Seller Ltd"
    data = json.dumps(bundle).encode()
    report = verify_bundle(data, log_key=None)
    narrative = narrative_json(parse_bundle(data), report)
    seller = next(p for p in narrative["parties"] if p["name"] == "Seller Ltd")
    assert seller["status"] == "unproved"
    assert not next(e for e in narrative["events"] if e["index"] == entry["index"])["proved"]


def test_a_bundle_without_settings_declares_no_platform_facts(
    told: tuple[dict[str, Any], Case],
) -> None:
    _, case = told
    bundle = json.loads(case.bundle)
    bundle["entries"] = [e for e in bundle["entries"] if e["role"] == "evidence"]
    data = json.dumps(bundle).encode()
    narrative = narrative_json(parse_bundle(data), verify_bundle(data, log_key=None))
    assert narrative["platform"]["entry"] is None
    assert narrative["platform"]["operator_name"] is None
    assert [e["depositor"] for e in narrative["evidence"]] == [None, None]
