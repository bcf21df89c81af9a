"""A registry history that meets every rule of the log, for tests/web/registry_replay.test.js.

``scripted_history`` returns statements with the time each is logged at:
parties registering, attesting and changing keys, settings, evidence signed
by current, rotated and later-revoked keys, and assets, licences and
objections through their lives, with statements the rules refuse for each
reason code among them (the log would never hold those; a tampered bundle
may). Which are refused, and why, is for the Python rules to say: the test
compares the browser verifier's replay with theirs.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from nacl.signing import SigningKey

from cunzheng.ledger.registry.policy import DEFAULT_POLICY
from cunzheng.ledger.statements import Statement
from tests.ledger.registry_world import T0, Actor, application, digest, event, sign, when

H = "ab" * 32
ID_CARD = "11010519491231002X"


def b64key(key: SigningKey) -> str:
    return base64.b64encode(bytes(key.verify_key)).decode()


@dataclass
class Script:
    """Statements in log order, each with the time the log takes it."""

    now: datetime = T0
    items: list[tuple[Statement, datetime, bool]] = field(default_factory=list)

    def log(self, statement: Statement, *, days: float = 0, proved: bool = True) -> Statement:
        """Log *statement* *days* after the last one; not *proved*: its bundle entry does not verify."""
        self.now += timedelta(days=days)
        self.items.append((statement, self.now, proved))
        return statement

    def later(self, days: int) -> str:
        """Return the time *days* after the last statement, as statements write times."""
        return when(self.now + timedelta(days=days))


def registration(actor: Actor, signer: Actor | None = None, **extra: Any) -> Statement:
    body = {"kind": actor.kind, "name": actor.name, "key": b64key(actor.key), **extra}
    statement = sign(signer or actor, "party.register", body)
    actor.id = statement.hash
    return statement


def settings(signer: Actor, **changes: Any) -> Statement:
    return sign(signer, "log.settings", {**DEFAULT_POLICY.body(), **changes})


def evidence(actor: Actor, text: str, *cosigners: Actor) -> Statement:
    return sign(actor, "evidence.timestamp", {"sha256": digest(text)}, *cosigners)


def grant(
    holder: Actor, asset: bytes, prev: bytes, licensee: str, *cosigners: Actor, **terms: Any
) -> Statement:
    body = {
        "licensee": licensee,
        "kind": "exclusive",
        "scope": ["analytics"],
        "territory": ["CN"],
        "start": when(T0 + timedelta(days=100)),
        "end": when(T0 + timedelta(days=500)),
        "sublicensing": False,
        "fee_terms_sha256": digest("fee"),
        **terms,
    }
    return event(holder, "licence.grant", asset, prev, *cosigners, **body)


def parties(s: Script, w: dict[str, Actor]) -> None:
    """Registrations, attestations and keys, each refusal of the party rules among them."""
    op, ex, holder, buyer = w["operator"], w["exchange"], w["holder"], w["buyer"]
    s.log(registration(Actor("Early court", "court")))  # party.registration_not_authorised
    s.log(registration(op, w["exchange"]))  # party.genesis_not_self_signed
    s.log(registration(op))
    s.log(settings(op, platform={"operator_name": "Operator", "security_level": 3}))
    s.log(registration(ex, op, registry_id="91310000MA1FL0000N", registry_id_type="uscc"))
    twin = Actor("Twin exchange", "exchange")
    s.log(registration(twin, op, registry_id="91310000MA1FL0000N"))  # party.registry_id_taken
    s.log(registration(holder, registry_id=ID_CARD, registry_id_type="resident_id"))
    s.log(registration(buyer))
    for name in ("bank", "court"):
        s.log(registration(w[name], op))
    s.log(registration(w["witness"]))
    s.log(registration(Actor("Exchange-made", "exchange"), ex))  # party.registration_not_authorised
    s.log(registration(w["agent"], ex))  # a rights holder vouched for by the exchange
    attest = {"party": holder.hex, "name": holder.name, "registry_id_type": "resident_id"}
    s.log(sign(buyer, "party.attest", {**attest, "registry_id": ID_CARD}))
    s.log(sign(ex, "party.attest", {**attest, "name": "Someone else", "registry_id": ID_CARD}))
    s.log(sign(ex, "party.attest", {**attest, "registry_id": ID_CARD}))
    s.log(sign(ex, "party.attest", {**attest, "registry_id": ID_CARD}))  # already_verified
    s.log(sign(ex, "party.attest", {**attest, "party": H, "registry_id": ID_CARD}))
    s.log(
        sign(Actor("Mallory", "rights_holder"), "evidence.timestamp", {"sha256": H})
    )  # key.unknown
    s.log(
        registration(Actor("Holder again", "rights_holder", key=holder.key))
    )  # key.already_registered
    s.log(sign(ex, "log.settings", DEFAULT_POLICY.body()))  # settings.not_operator
    s.log(evidence(buyer, "before rotation"), days=1)
    old = buyer.key
    buyer.key = SigningKey.generate()
    rotate = {"party": buyer.hex, "old_key": b64key(old), "new_key": b64key(buyer.key)}
    s.log(sign(holder, "party.rotate_key", rotate))  # party.not_authorised
    s.log(sign(Actor("Old buyer", "rights_holder", key=old), "party.rotate_key", rotate), days=1)
    s.log(sign(Actor("Old buyer", "rights_holder", key=old), "evidence.timestamp", {"sha256": H}))
    s.log(sign(buyer, "party.rotate_key", rotate))  # key.revoked: nothing to rotate
    s.log(
        sign(buyer, "party.rotate_key", {**rotate, "old_key": b64key(holder.key)})
    )  # key.not_of_party
    s.log(sign(buyer, "party.rotate_key", {**rotate, "party": H}))  # party.unknown
    again = {**rotate, "old_key": b64key(buyer.key), "new_key": b64key(holder.key)}
    s.log(sign(buyer, "party.rotate_key", again))  # key.already_registered
    s.log(evidence(buyer, "after rotation", holder))
    witness = w["witness"]
    s.log(evidence(witness, "taken back later"), days=1)
    s.log(evidence(holder, "cosigned by the witness", witness))
    s.log(evidence(holder, "not proved"), proved=False)
    revoke = {
        "party": witness.hex,
        "key": b64key(witness.key),
        "from": when(s.now - timedelta(hours=1)),
    }
    s.log(sign(op, "party.revoke_key", revoke), days=2)
    s.log(evidence(witness, "after the revocation"))  # key.revoked
    s.log(
        sign(
            holder,
            "evidence.dataset",
            {"root": H, "scheme": "records", "count": 2, "format": "csv"},
        )
    )


def assets(s: Script, w: dict[str, Actor]) -> None:
    """An asset's life with a refusal for each rule of assets, licences and objections."""
    op, ex, holder, buyer, bank = (
        w[k] for k in ("operator", "exchange", "holder", "buyer", "bank")
    )
    s.log(application(holder, bank))  # asset.registrar_not_exchange
    other_system = application(holder, ex, name="elsewhere")
    body = {**other_system.to_json()["body"], "system": "beijing"}
    s.log(sign(holder, "asset.apply", body, ex))  # asset.unknown_system under the log's settings
    s.log(
        sign(holder, "asset.apply", application(holder, ex).to_json()["body"])
    )  # missing registrar
    a1 = s.log(application(holder, ex))
    s.log(application(holder, ex))  # asset.fingerprint_taken (the same application again)
    read = {"reader": buyer.hex, "asset": a1.hash.hex(), "fields": ["processing_rules"]}
    s.log(sign(op, "access.read", read))
    s.log(sign(ex, "access.read", read), proved=False)
    s.log(sign(ex, "access.read", read))  # access.not_operator
    s.log(sign(op, "access.read", {**read, "asset": H}))  # asset.unknown
    s.log(
        sign(
            buyer,
            "objection.file",
            {"asset": a1.hash.hex(), "evidence_sha256": H, "grounds": "early"},
        )
    )
    # Refusals that only the log's own settings give go to side assets, so that the replay
    # without them (which allows these) keeps the chain of a1 intact.
    short = s.log(application(holder, ex, name="short publicity"))
    s.log(event(ex, "asset.publicize", short.hash, short.hash, until=s.later(3)))
    side = s.log(application(holder, ex, name="side"))
    side_pub = s.log(event(ex, "asset.publicize", side.hash, side.hash, until=s.later(15)))
    pub = s.log(event(ex, "asset.publicize", a1.hash, a1.hash, until=s.later(15)))
    s.log(event(ex, "asset.publicize", a1.hash, pub.hash, until=when(s.now)))  # asset.wrong_status
    s.log(
        event(
            ex,
            "asset.register",
            a1.hash,
            pub.hash,
            certificate="20260100310000001",
            expires=s.later(300),
        )
    )
    ob = s.log(
        sign(
            buyer,
            "objection.file",
            {"asset": a1.hash.hex(), "evidence_sha256": H, "grounds": "ours"},
        )
    )
    s.log(sign(buyer, "objection.file", {"asset": H, "evidence_sha256": H, "grounds": "ours"}))
    register = {"certificate": "20260100310000001", "expires": s.later(316)}
    s.log(event(ex, "asset.register", a1.hash, pub.hash, **register), days=16)  # objection_pending
    s.log(event(ex, "objection.decide", a1.hash, pub.hash, objection=H, outcome="dismissed"))
    d1 = s.log(
        event(
            ex, "objection.decide", a1.hash, pub.hash, objection=ob.hash.hex(), outcome="dismissed"
        )
    )
    s.log(
        event(ex, "objection.decide", a1.hash, d1.hash, objection=ob.hash.hex(), outcome="upheld")
    )
    s.log(
        event(
            ex,
            "asset.register",
            a1.hash,
            d1.hash,
            certificate="20260100310000001",
            expires=when(s.now),
        )
    )
    long_term = {**register, "certificate": "20260100310000009", "expires": s.later(2000)}
    s.log(event(ex, "asset.register", side.hash, side_pub.hash, **long_term))
    s.log(
        event(ex, "asset.register", side.hash, side_pub.hash, **{**register, "certificate": "ABC"})
    )
    s.log(
        event(ex, "asset.register", side.hash, side_pub.hash, **register, registration_number="bad")
    )
    r1 = s.log(
        event(
            ex,
            "asset.register",
            a1.hash,
            d1.hash,
            **register,
            registration_number="91310000MA1FL000",
        )
    )
    a2 = s.log(application(buyer, ex, name="second"))
    p2 = s.log(event(ex, "asset.publicize", a2.hash, a2.hash, until=s.later(15)))
    s.log(event(ex, "asset.register", a2.hash, p2.hash, **register), days=16)  # certificate_taken
    r2 = s.log(
        event(
            ex,
            "asset.register",
            a2.hash,
            p2.hash,
            **{**register, "certificate": "20260100310000002"},
        )
    )
    s.log(event(holder, "asset.transfer", a1.hash, r1.hash, ex, to=buyer.hex))  # missing_new_holder
    s.log(event(holder, "asset.transfer", a1.hash, r1.hash, ex, to=H))  # party.unknown
    s.log(event(ex, "asset.transfer", a1.hash, r1.hash, buyer, to=buyer.hex))  # missing_holder
    s.log(event(holder, "asset.pledge", a1.hash, r1.hash, buyer, pledgee=buyer.hex, terms_sha256=H))
    s.log(event(holder, "asset.pledge", a1.hash, r1.hash, pledgee=bank.hex, terms_sha256=H))
    g1 = s.log(
        event(holder, "asset.pledge", a1.hash, r1.hash, bank, pledgee=bank.hex, terms_sha256=H)
    )
    s.log(event(holder, "asset.pledge", a1.hash, g1.hash, bank, pledgee=bank.hex, terms_sha256=H))
    s.log(
        event(holder, "asset.transfer", a1.hash, g1.hash, ex, buyer, to=buyer.hex)
    )  # asset.pledged
    s.log(
        grant(holder, a1.hash, g1.hash, buyer.hex)
    )  # asset.pledged: exclusive without the pledgee
    s.log(event(holder, "asset.release", a1.hash, g1.hash))  # signature.missing_pledgee
    rel = s.log(event(bank, "asset.release", a1.hash, g1.hash))
    s.log(event(bank, "asset.release", a1.hash, rel.hash))  # asset.not_pledged
    s.log(
        event(holder, "asset.version", a1.hash, rel.hash, ex, fingerprint=digest("dataset second"))
    )
    v1 = s.log(event(holder, "asset.version", a1.hash, rel.hash, ex, fingerprint=digest("v2")))
    c1 = s.log(event(holder, "asset.change", a1.hash, v1.hash, ex, particulars={"name": "Renamed"}))
    s.log(event(holder, "asset.change", a1.hash, c1.hash, particulars={"name": "No registrar"}))
    s.log(event(holder, "asset.renew", a1.hash, c1.hash, ex, expires=when(s.now)))  # term_invalid
    n1 = s.log(event(holder, "asset.renew", a1.hash, c1.hash, ex, expires=s.later(400)))
    s.log(grant(holder, a1.hash, n1.hash, buyer.hex, end=when(T0)))  # licence.term_invalid
    s.log(grant(holder, a1.hash, n1.hash, H))  # party.unknown
    s.log(grant(buyer, a1.hash, n1.hash, buyer.hex))  # licence.not_holder
    l1 = s.log(grant(holder, a1.hash, n1.hash, buyer.hex))
    s.log(
        grant(holder, a1.hash, l1.hash, w["agent"].hex, kind="non_exclusive")
    )  # overlaps_exclusive
    l2 = s.log(grant(holder, a1.hash, l1.hash, w["agent"].hex, kind="sole", scope=["training"]))
    s.log(sign(buyer, "licence.accept", {"licence": H}))  # licence.unknown
    s.log(sign(holder, "licence.accept", {"licence": l1.hash.hex()}))  # licence.not_licensee
    s.log(sign(buyer, "licence.accept", {"licence": l1.hash.hex()}))
    s.log(sign(buyer, "licence.accept", {"licence": l1.hash.hex()}))  # licence.wrong_status
    s.log(sign(bank, "licence.terminate", {"licence": l1.hash.hex()}))  # licence.not_party
    s.log(sign(holder, "licence.terminate", {"licence": l1.hash.hex()}), days=1)
    s.log(sign(buyer, "licence.terminate", {"licence": l1.hash.hex()}))  # licence.wrong_status
    s.log(grant(holder, a1.hash, l2.hash, w["agent"].hex, kind="non_exclusive", start=s.later(1)))
    o2 = s.log(
        sign(
            holder,
            "objection.file",
            {"asset": a2.hash.hex(), "evidence_sha256": H, "grounds": "mine"},
        )
    )
    up = s.log(
        event(
            ex,
            "objection.decide",
            a2.hash,
            r2.hash,
            objection=o2.hash.hex(),
            outcome="upheld",
            effect="cancel",
        )
    )
    s.log(event(buyer, "asset.cancel", a2.hash, up.hash, ex))  # asset.wrong_status: revoked
    s.log(event(ex, "asset.revoke", a2.hash, r2.hash))  # asset.stale_prev
    a3 = s.log(application(w["agent"], ex, name="third"))
    p3 = s.log(event(ex, "asset.publicize", a3.hash, a3.hash, until=s.later(15)))
    systems = {"other": {"certificate": "[A-Z]+", "registration_number": r"\d+"}}
    s.log(settings(op, publicity_days=1, term_days=30, systems=systems), days=16)
    s.log(event(ex, "asset.register", a3.hash, p3.hash, certificate="X", expires=s.later(20)))
    a4 = s.log(
        sign(
            holder,
            "asset.apply",
            {**application(holder, ex, name="fourth").to_json()["body"], "system": "other"},
            ex,
        )
    )
    p4 = s.log(event(ex, "asset.publicize", a4.hash, a4.hash, until=s.later(1)))
    s.log(
        event(ex, "asset.register", a4.hash, p4.hash, certificate="ABC", expires=s.later(40)),
        days=2,
    )
    r4 = s.log(
        event(
            ex,
            "asset.register",
            a4.hash,
            p4.hash,
            certificate="ABC",
            expires=s.later(10),
            registration_number="12",
        )
    )
    s.log(
        event(holder, "asset.change", a4.hash, r4.hash, ex, particulars={"name": "At expiry"}),
        days=10,
    )
    s.log(
        event(holder, "asset.transfer", a4.hash, r4.hash, ex, buyer, to=buyer.hex), days=1
    )  # expired
    s.log(event(holder, "asset.cancel", a4.hash, r4.hash, ex))
    s.log(event(ex, "asset.revoke", a3.hash, p3.hash))


def scripted_history() -> list[tuple[Statement, datetime, bool]]:
    """Return the scripted statements, each with the time the log takes it and whether it is proved."""
    w = {
        "operator": Actor("Operator", "operator"),
        "exchange": Actor("Exchange", "exchange"),
        "holder": Actor("Holder", "rights_holder"),
        "buyer": Actor("Buyer", "rights_holder"),
        "bank": Actor("Bank", "financial_institution"),
        "court": Actor("Court", "court"),
        "witness": Actor("Witness", "witness"),
        "agent": Actor("Agent Ltd", "rights_holder"),
    }
    script = Script()
    parties(script, w)
    assets(script, w)
    return script.items
