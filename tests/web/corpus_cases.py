"""The cases of the verifier corpus: genuine bundles and receipts, and every tamper the verifier refuses.

Each ``Spec`` names the files a case holds and what a judge gives the
verifier with them (the log key, presented files and disclosures, TSA roots,
witnesses). The tampers are those the ledger and CLI tests make
(tests/ledger/test_verify_*.py, test_completeness.py,
test_bundle_settings.py, tests/cli/test_user_defects.py), made here on the
worlds of ``tests.web.corpus_worlds``. No case says what the verifier should
answer: ``tests.web.corpus`` asks ``cunzheng verify``.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from cunzheng.ledger.cosignature import CosignatureSigner
from cunzheng.ledger.note import Checkpoint, Signer, sign_checkpoint
from tests.web.corpus_worlds import (
    CONTRACT,
    REPORT,
    EvidenceWorld,
    RegistryWorld,
    SettingsWorld,
    TimedWorld,
)

Edit = Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class Witnesses:
    """The witnesses a judge names (verifier key strings) and how many must cosign (None: all)."""

    keys: tuple[str, ...]
    threshold: int | None = None


@dataclass(frozen=True)
class Spec:
    """One case before it is run: its files, by name in its directory, and the verifier's inputs."""

    name: str
    kind: str  # "bundle" or "receipt"
    inputs: dict[str, bytes]
    log_key: str | None
    files: tuple[str, ...] = ()
    disclosures: tuple[str, ...] = ()
    tsa_roots: tuple[str, ...] = ()
    witnesses: Witnesses | None = None


def edit(data: bytes, change: Edit) -> bytes:
    """Return the bundle *data* with *change* made to its JSON."""
    obj = json.loads(data)
    change(obj)
    return json.dumps(obj, indent=2).encode()


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _flip(text: str, at: int) -> str:
    raw = bytearray(base64.b64decode(text))
    raw[at] ^= 1
    return _b64(bytes(raw))


def _bundle(name: str, data: bytes, key: str | None, **kw: Any) -> Spec:
    return Spec(name, "bundle", {"bundle.json": data, **kw.pop("more", {})}, key, **kw)


def evidence_cases(e: EvidenceWorld) -> Iterator[Spec]:
    """Cases on the evidence world: genuine, malformed, forged checkpoints, keys, files, disclosures."""
    contract = {"contract.pdf": CONTRACT}
    yield _bundle("evidence_genuine", e.bundle, e.vkey, files=("contract.pdf",), more=contract)
    yield _bundle("evidence_without_log_key", e.bundle, None)
    plain = edit(e.bundle, lambda o: o.update(disclosures=[]))
    yield _bundle("dataset_not_disclosed", plain, e.vkey)
    row = {"row-2.json": e.disclosure}
    yield _bundle(
        "dataset_disclosure_presented", plain, e.vkey, disclosures=("row-2.json",), more=row
    )
    moved = json.loads(e.disclosure)
    moved["index"] = 3
    bad = {"row-3.json": json.dumps(moved).encode()}
    yield _bundle(
        "disclosure_of_another_item", plain, e.vkey, disclosures=("row-3.json",), more=bad
    )
    moved["root"] = "ab" * 32
    alien = {"alien.json": json.dumps(moved).encode()}
    yield _bundle(
        "disclosure_of_no_dataset", plain, e.vkey, disclosures=("alien.json",), more=alien
    )
    junk = {"junk.json": b"{}"}
    yield _bundle("disclosure_malformed", plain, e.vkey, disclosures=("junk.json",), more=junk)
    for name, data in [("record_cut", e.long_disclosure), ("record_escaped", e.escaped_disclosure)]:
        shown = {f"{name}.json": data}
        yield _bundle(
            f"disclosure_{name}", plain, e.vkey, disclosures=(f"{name}.json",), more=shown
        )
    other = {"other.pdf": b"something else"}
    yield _bundle("file_not_logged", e.bundle, e.vkey, files=("other.pdf",), more=other)

    def body(o: dict[str, Any]) -> None:
        o["entries"][1]["statement"]["body"]["sha256"] = "00" * 32

    yield _bundle("statement_altered", edit(e.bundle, body), e.vkey)
    yield _bundle(
        "logged_at_altered",
        edit(e.bundle, lambda o: o["entries"][1].update(logged_at="2020-01-01T00:00:00Z")),
        e.vkey,
    )

    def proof(o: dict[str, Any]) -> None:
        o["entries"][1]["inclusion_proof"][0] = _flip(o["entries"][1]["inclusion_proof"][0], 5)

    yield _bundle("inclusion_proof_altered", edit(e.bundle, proof), e.vkey)
    stranger = Signer.generate(e.origin)
    yield _bundle("another_logs_key", e.bundle, stranger.verifier().to_string())
    resigned = edit(e.bundle, _resign(stranger))
    yield _bundle("resigned_by_another_key", resigned, e.vkey)
    yield _bundle("resigned_without_log_key", resigned, None)
    yield _bundle("key_revoked", e.revoked, e.vkey)
    yield _bundle("registration_left_out", edit(e.bundle, lambda o: o["entries"].pop(0)), e.vkey)
    yield _bundle("earlier_forked", edit(e.bundle, _forge_earlier(e.signer, 0)), e.vkey)
    yield _bundle("earlier_larger", edit(e.bundle, _forge_earlier(e.signer, 5)), e.vkey)
    yield _bundle("checkpoint_of_another_origin", edit(e.bundle, _origin(e.signer)), e.vkey)

    def root(o: dict[str, Any]) -> None:
        lines = o["checkpoint"].split("\n")
        lines[2] = _b64(hashlib.sha256(b"another root").digest())
        o["checkpoint"] = "\n".join(lines)

    yield _bundle("checkpoint_root_altered", edit(e.bundle, root), e.vkey)
    for name, data in [
        ("malformed_empty", b""),
        ("malformed_text", b"not json"),
        ("malformed_array", b"[]"),
        ("malformed_object", b"{}"),
        ("malformed_other_format", b'{"format": "cunzheng.bundle/v2"}'),
        ("malformed_binary", b"\xff\xfe"),
        ("malformed_entries_reversed", edit(e.bundle, lambda o: o["entries"].reverse())),
        (
            "malformed_role_relabelled",
            edit(e.bundle, lambda o: o["entries"][0].update(role="evidence")),
        ),
        ("malformed_receipt_as_bundle", e.receipt),
    ]:
        yield _bundle(name, data, e.vkey)


def _resign(attacker: Signer) -> Edit:
    def again(note: str) -> str:
        return sign_checkpoint(Checkpoint.parse(note.split("\n\n")[0] + "\n"), attacker)

    def resign(o: dict[str, Any]) -> None:
        o["checkpoint"] = again(o["checkpoint"])
        for earlier in o["earlier_checkpoints"]:
            earlier["checkpoint"] = again(earlier["checkpoint"])
        o["log"]["verifier_key"] = attacker.verifier().to_string()

    return resign


def _forge_earlier(signer: Signer, grow: int) -> Edit:
    """Replace the earlier checkpoint by one of another root, *grow* entries past the bundle's."""

    def forge(o: dict[str, Any]) -> None:
        earlier = o["earlier_checkpoints"][0]
        size = int((o["checkpoint"] if grow else earlier["checkpoint"]).split("\n")[1]) + grow
        forged = Checkpoint(signer.name, size, hashlib.sha256(b"forged").digest())
        earlier["checkpoint"] = sign_checkpoint(forged, signer)
        if grow:
            earlier["consistency_proof"] = []

    return forge


def _origin(signer: Signer) -> Edit:
    def other(o: dict[str, Any]) -> None:
        cp = Checkpoint.parse(o["checkpoint"].split("\n\n")[0] + "\n")
        forged = Checkpoint("other.example/log", cp.size, cp.root)
        o["checkpoint"] = sign_checkpoint(forged, signer)

    return other


def timed_cases(t: TimedWorld) -> Iterator[Spec]:
    """Cases on the timed world: tokens, cosignatures and each entry's own time, and their tampers."""
    ca = {"ca.pem": t.ca_pem}
    both = Witnesses(t.witnesses)

    def checked(name: str, data: bytes, witnesses: Witnesses | None = both) -> Spec:
        return _bundle(name, data, t.vkey, tsa_roots=("ca.pem",), witnesses=witnesses, more=ca)

    yield checked("timed_genuine", t.bundle)
    yield _bundle("timed_not_checked", t.bundle, t.vkey)
    yield checked("timed_tsa_only", t.bundle, None)
    yield _bundle("timed_witnesses_only", t.bundle, t.vkey, witnesses=Witnesses(t.witnesses, 1))

    def token(o: dict[str, Any]) -> None:
        stamp = o["timed_checkpoints"][0]["timestamps"][0]
        stamp["token"] = _flip(stamp["token"], -10)

    yield checked("timed_token_altered", edit(t.bundle, token))

    def proof(o: dict[str, Any]) -> None:
        item = o["timed_checkpoints"][0]
        item["consistency_proof"][0] = _flip(item["consistency_proof"][0], 0)

    yield checked("timed_proof_altered", edit(t.bundle, proof))
    yield _bundle("timed_proof_altered_not_checked", edit(t.bundle, proof), t.vkey)

    def note(o: dict[str, Any]) -> None:
        item = o["timed_checkpoints"][0]
        origin, rest = item["checkpoint"].split("\n", 1)
        item["checkpoint"] = origin + "x\n" + rest

    yield checked("timed_note_altered", edit(t.bundle, note))

    def swap(o: dict[str, Any]) -> None:
        first, second = o["timed_checkpoints"]
        first["timestamps"], second["timestamps"] = second["timestamps"], first["timestamps"]

    yield checked("timed_tokens_swapped", edit(t.bundle, swap))
    yield checked(
        "timed_checkpoint_left_out",
        edit(t.bundle, lambda o: o.update(timed_checkpoints=o["timed_checkpoints"][1:])),
    )

    def later(o: dict[str, Any]) -> None:
        sizes = [int(c["checkpoint"].split("\n")[1]) for c in o["timed_checkpoints"]]
        early = next(e for e in o["entries"] if e["timed_by"] == sizes[0] and e["index"] > 0)
        early["timed_by"] = sizes[1]

    yield checked("timed_by_a_later_checkpoint", edit(t.bundle, later))

    def moved(o: dict[str, Any]) -> None:
        sizes = [int(c["checkpoint"].split("\n")[1]) for c in o["timed_checkpoints"]]
        entry = next(e for e in o["entries"] if e["timed_by"] == sizes[1])
        entry["timed_by"] = sizes[0]

    yield checked("timed_by_a_checkpoint_not_holding_it", edit(t.bundle, moved))

    def strip(o: dict[str, Any]) -> None:
        del o["timed_checkpoints"]
        for entry in o["entries"]:
            entry.pop("timed_by", None)

    yield checked("timed_stripped", edit(t.bundle, strip))

    def other_digest(o: dict[str, Any]) -> None:
        o["timestamps"] = o["timed_checkpoints"][0]["timestamps"]

    yield checked("token_over_another_checkpoint", edit(t.bundle, other_digest))
    stranger = [{"token": _b64(t.stranger_token)}]
    yield checked("token_untrusted", edit(t.bundle, lambda o: o.update(timestamps=stranger)))
    junk = [{"token": _b64(b"\x30\x03\x02\x01\x01")}]
    yield checked("token_malformed", edit(t.bundle, lambda o: o.update(timestamps=junk)))
    yield _bundle(
        "token_malformed_not_checked", edit(t.bundle, lambda o: o.update(timestamps=junk)), t.vkey
    )

    def cosignature(o: dict[str, Any]) -> None:
        o["cosignatures"][0]["signature"] = _flip(o["cosignatures"][0]["signature"], 20)

    yield checked("cosignature_altered", edit(t.bundle, cosignature), Witnesses(t.witnesses, 1))
    only_w2 = edit(t.bundle, lambda o: o.update(cosignatures=o["cosignatures"][1:]))
    yield checked("witness_threshold_not_met", only_w2)
    w3 = _key(t.stranger_witness)
    yield checked("witness_unnamed_and_absent", t.bundle, Witnesses((t.witnesses[0], w3), 1))
    twice = edit(t.bundle, lambda o: o["cosignatures"].append(o["cosignatures"][0]))
    yield checked("malformed_cosignature_twice", twice)
    spaced = edit(t.bundle, lambda o: o["cosignatures"][0].update(witness="w 1"))
    yield checked("malformed_cosignature_name", spaced)


def _key(signer: CosignatureSigner) -> str:
    return signer.verifier().to_string()


def registry_cases(r: RegistryWorld) -> Iterator[Spec]:
    """Cases on the registry world: a claimed history proved complete, and its omissions."""
    yield _bundle("claim_history_genuine", r.history, r.vkey)
    yield _bundle("claim_absence_genuine", r.no_fingerprint, r.vkey)
    obj = json.loads(r.history)
    (pledge,) = [e for e in obj["entries"] if e["statement"]["type"] == "asset.pledge"]
    before = pledge["statement"]["body"]["prev"]

    def hide(o: dict[str, Any]) -> None:
        o["entries"] = [e for e in o["entries"] if e["index"] != pledge["index"]]
        o["claim"]["entries"].remove(pledge["index"])
        o["claim"]["answer"]["pledgee"] = None
        o["claim"]["answer"]["last_event"] = before

    yield _bundle("claim_entry_omitted", edit(r.history, hide), r.vkey)

    def index(o: dict[str, Any]) -> None:
        hide(o)
        o["index"][0]["value"]["events"].remove(pledge["index"])

    yield _bundle("claim_index_proof_altered", edit(r.history, index), r.vkey)

    def no_index(o: dict[str, Any]) -> None:
        hide(o)
        o["index"] = []

    yield _bundle("claim_index_proofs_left_out", edit(r.history, no_index), r.vkey)

    def answer(o: dict[str, Any]) -> None:
        o["claim"]["answer"]["pledgee"] = None

    yield _bundle("claim_answer_altered", edit(r.history, answer), r.vkey)

    def lacking(o: dict[str, Any]) -> None:
        o["entries"] = [e for e in o["entries"] if e["index"] != pledge["index"]]

    yield _bundle("claim_names_an_entry_left_out", edit(r.history, lacking), r.vkey)
    unnamed = edit(r.history, lambda o: o["claim"]["entries"].remove(pledge["index"]))
    yield _bundle("claim_leaves_an_entry_unnamed", unnamed, r.vkey)
    party = "ab" * 32
    asked = edit(r.history, lambda o: o["claim"]["question"].update(party=party))
    yield _bundle("malformed_question", asked, r.vkey)
    yield _bundle(
        "claim_entries_out_of_order",
        edit(r.history, lambda o: o["claim"]["entries"].reverse()),
        r.vkey,
    )


def settings_cases(s: SettingsWorld) -> Iterator[Spec]:
    """Cases on the settings world: bundles replayed under the log's own settings, and their omissions."""
    yield _bundle("settings_history_genuine", s.history, s.vkey)
    yield _bundle("settings_plain_genuine", s.plain, s.vkey)

    def drop(o: dict[str, Any]) -> None:
        o["entries"] = [e for e in o["entries"] if e["role"] != "settings"]

    yield _bundle("settings_entry_left_out", edit(s.history, drop), s.vkey)
    yield _bundle("settings_entry_left_out_plain", edit(s.plain, drop), s.vkey)

    def alter(o: dict[str, Any]) -> None:
        (item,) = [i for i in o["index"] if i["key"] == "settings:log"]
        item["value"]["events"] = []

    yield _bundle("settings_proof_altered", edit(s.plain, alter), s.vkey)
    yield _bundle(
        "settings_proof_left_out",
        edit(s.history, lambda o: o.update(index=o["index"][:-1])),
        s.vkey,
    )


def receipt_cases(e: EvidenceWorld, t: TimedWorld) -> Iterator[Spec]:
    """Cases of a file and its receipt: genuine, another file, an altered receipt, tokens."""

    def receipt(name: str, data: bytes, content: bytes, key: str, **kw: Any) -> Spec:
        inputs = {"receipt.json": data, "document.bin": content, **kw.pop("more", {})}
        return Spec(name, "receipt", inputs, key, files=("document.bin",), **kw)

    yield receipt("receipt_genuine", e.receipt, CONTRACT, e.vkey)
    yield receipt("receipt_other_file", e.receipt, b"another contract", e.vkey)
    yield receipt(
        "receipt_index_altered", edit(e.receipt, lambda o: o.update(index=0)), CONTRACT, e.vkey
    )
    yield receipt(
        "receipt_tree_size_altered",
        edit(e.receipt, lambda o: o.update(tree_size=o["tree_size"] + 1)),
        CONTRACT,
        e.vkey,
    )
    yield receipt("receipt_another_logs_key", e.receipt, CONTRACT, t.vkey)
    ca = {"ca.pem": t.ca_pem}
    yield receipt(
        "receipt_token_checked", t.receipt, REPORT, t.vkey, tsa_roots=("ca.pem",), more=ca
    )
    yield receipt("receipt_token_not_checked", t.receipt, REPORT, t.vkey)

    def token(o: dict[str, Any]) -> None:
        o["timestamps"][0] = _flip(o["timestamps"][0], -10)

    yield receipt(
        "receipt_token_altered",
        edit(t.receipt, token),
        REPORT,
        t.vkey,
        tsa_roots=("ca.pem",),
        more=ca,
    )
