"""The exchange's desk: every registry statement, drafted against the registry as the log holds it.

A ``Desk`` is a snapshot of the registry (a ``Mirror`` after a refresh). It
finds parties and assets by id, id prefix or name, fills in what the log
already knows (an event's ``prev``, the submitter's current key, default
terms from the log's settings) and returns a ``Draft`` that lists who must
sign it, as the rules say (``ledger.registry.signers``). Drafting is pure:
the desk reads the snapshot and never talks to the log.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, TypeVar

from cunzheng.ledger.bodies import LICENCE_KINDS, OnAsset, OnLicence
from cunzheng.ledger.client.drafts import Draft, PartyRef, Signatory
from cunzheng.ledger.clock import format_time
from cunzheng.ledger.encoding import decode_base64
from cunzheng.ledger.errors import MalformedInput, NotFound
from cunzheng.ledger.fingerprint import SALT_SIZE, commit
from cunzheng.ledger.registry import Asset, Licence, Objection, Party
from cunzheng.ledger.registry.memory import MemoryRegistry
from cunzheng.ledger.registry.signers import required_signers
from cunzheng.ledger.statements import Statement

__all__ = ["Desk", "Ref", "commitments", "licence_status"]

_T = TypeVar("_T", Party, Asset, Licence, Objection)

Ref = str | bytes
"""A party, asset, licence or objection: its id (bytes or hex), a unique hex prefix, or a name."""

_MIN_PREFIX = 4
# Body members that name a registry object, and what they name (for the summary shown before signing).
_NAMED = {
    "asset": "asset",
    "registrar": "party",
    "to": "party",
    "pledgee": "party",
    "licensee": "party",
    "party": "party",
    "licence": "licence",
    "objection": "objection",
}


class Desk:
    """The registry at one checkpoint, and the drafts of every registry statement against it."""

    def __init__(
        self, registry: MemoryRegistry, names: Mapping[bytes, str], *, now: datetime
    ) -> None:
        self.registry = registry
        self.names = dict(names)
        self.now = now

    # Finding things.

    def party(self, ref: Ref) -> Party:
        """Return the party named by *ref*: id, id prefix, name or registry id."""
        parties = self.registry.parties

        def named(p: Party) -> bool:
            return _same(p.name, ref) or p.registry_id == ref

        return _find("party", ref, parties, named)

    def asset(self, ref: Ref) -> Asset:
        """Return the asset named by *ref*: id, id prefix, name or certificate number."""
        assets = {k[1]: o for k, o in self.registry.objects.items() if isinstance(o, Asset)}

        def named(a: Asset) -> bool:
            return _same(self.names.get(a.id, ""), ref) or a.certificate == ref

        return _find("asset", ref, assets, named)

    def licence(self, ref: Ref) -> Licence:
        """Return the licence named by *ref*: its id (that of its grant) or a unique prefix."""
        licences = {k[1]: o for k, o in self.registry.objects.items() if isinstance(o, Licence)}
        return _find("licence", ref, licences, lambda _: False)

    def objection(self, ref: Ref) -> Objection:
        """Return the objection named by *ref*: its id or a unique prefix."""
        found = {k[1]: o for k, o in self.registry.objects.items() if isinstance(o, Objection)}
        return _find("objection", ref, found, lambda _: False)

    def key_of(self, party: bytes) -> bytes:
        """Return the key that signs for *party* now: its current key, the latest if it has several."""
        keys = [r for r in self.registry.keys.values() if r.party == party and r.valid_at(self.now)]
        if not keys:
            raise NotFound(f"party {party.hex()} has no current key")
        return max(keys, key=lambda r: r.index).key

    def describe(self, kind: str, thing_id: bytes) -> str:
        """Return a line that names a party, asset, licence or objection for a person."""
        if kind == "party":
            p = self.registry.party(thing_id)
            if p is None:
                return f"unknown party {thing_id.hex()}"
            verified = "verified" if p.verified else "unverified"
            return f"{p.name} ({p.kind}, {verified}, {p.id.hex()[:12]})"
        if kind == "asset":
            a = self.registry.asset(thing_id)
            if a is None:
                return f"unknown asset {thing_id.hex()}"
            name = self.names.get(a.id, "unnamed")
            holder = self.describe("party", a.holder)
            return f"{name!r} ({a.status_at(self.now)}, {a.id.hex()[:12]}), held by {holder}"
        if kind == "licence":
            lic = self.registry.licence(thing_id)
            if lic is None:
                return f"unknown licence {thing_id.hex()}"
            return (
                f"{lic.kind} licence {lic.id.hex()[:12]} on {self.describe('asset', lic.asset)} "
                f"to {self.describe('party', lic.licensee)}, {licence_status(lic, self.now)}"
            )
        o = self.registry.objection(thing_id)
        if o is None:
            return f"unknown objection {thing_id.hex()}"
        return f"objection {o.id.hex()[:12]} by {self.describe('party', o.filer)}, {o.status}"

    # Who must sign, and what came of a statement.

    def signatories(self, statement: Statement) -> tuple[Signatory, ...]:
        """Return who must sign *statement* by the rules, given this snapshot of the registry."""
        return tuple(
            Signatory(r.role, tuple(self._ref(p) for p in r.parties), r.submitter)
            for r in required_signers(statement, self.registry)
        )

    def refresh_draft(self, draft: Draft) -> Draft:
        """Return *draft* with its signatories as the rules say against this snapshot."""
        return Draft(draft.statement, self.signatories(draft.statement), draft.summary)

    def status(self, statement: Statement) -> str:
        """Return the status of what *statement* concerns, as this snapshot has it."""
        content = statement.content
        if statement.type in ("licence.grant",):
            licence = self.registry.licence(statement.hash)
            return "unknown" if licence is None else licence_status(licence, self.now)
        if isinstance(content, OnLicence):
            licence = self.registry.licence(content.licence)
            return "unknown" if licence is None else licence_status(licence, self.now)
        if statement.type == "objection.file":
            objection = self.registry.objection(statement.hash)
            return "unknown" if objection is None else f"objection {objection.status}"
        asset_id = statement.hash if statement.type == "asset.apply" else None
        if isinstance(content, OnAsset):
            asset_id = content.asset
        if asset_id is not None:
            asset = self.registry.asset(asset_id)
            if asset is None:
                return "unknown"
            pledged = "" if asset.pledgee is None else ", pledged"
            return asset.status_at(self.now) + pledged
        if statement.type == "party.attest":
            party = self.registry.party(getattr(content, "party", b""))
            return "verified" if party is not None and party.verified else "unverified"
        return "logged"

    # Drafts of the asset's life.

    def apply(
        self,
        *,
        holder: Ref,
        registrar: Ref,
        particulars: Mapping[str, Any],
        fingerprint: str,
        confidential: Mapping[str, Any] | None = None,
        system: str | None = None,
    ) -> Draft:
        """Return the draft of an application (申请) by *holder*, recorded by *registrar*."""
        who, exchange = self.party(holder), self.party(registrar)
        body: dict[str, Any] = {
            "registrar": exchange.id.hex(),
            "system": system or self._default_system(),
            "particulars": dict(particulars),
            "fingerprint": fingerprint,
        } | ({"confidential": commitments(confidential)} if confidential else {})
        return self._draft("asset.apply", body, submitter=who.id)

    def publicize(self, asset: Ref, *, until: datetime | None = None) -> Draft:
        """Return the draft of the start of publicity (公示), by default for the log's period and an hour."""
        policy = self.registry.policy()
        # The hour absorbs the difference between this clock and the log's.
        end = until or self.now + policy.publicity + timedelta(hours=1)
        return self._event("asset.publicize", asset, until=format_time(end))

    def register(
        self,
        asset: Ref,
        *,
        certificate: str,
        expires: datetime | None = None,
        registration_number: str | None = None,
    ) -> Draft:
        """Return the draft of registration (登记), by default for the log's longest term less a day."""
        end = expires or self.now + self.registry.policy().term - timedelta(days=1)
        extra = {} if registration_number is None else {"registration_number": registration_number}
        return self._event(
            "asset.register", asset, certificate=certificate, expires=format_time(end), **extra
        )

    def change(
        self,
        asset: Ref,
        *,
        particulars: Mapping[str, Any],
        confidential: Mapping[str, Any] | None = None,
    ) -> Draft:
        """Return the draft of a change of particulars (变更)."""
        extra = {"confidential": commitments(confidential)} if confidential else {}
        return self._event("asset.change", asset, particulars=dict(particulars), **extra)

    def version(self, asset: Ref, *, fingerprint: str) -> Draft:
        """Return the draft of a new version of the data, with its new fingerprint."""
        return self._event("asset.version", asset, fingerprint=fingerprint)

    def renew(self, asset: Ref, *, expires: datetime | None = None) -> Draft:
        """Return the draft of a renewal (续展), by default by the log's longest term."""
        found = self.asset(asset)
        if expires is None:
            if found.expires is None:
                raise MalformedInput(f"asset {found.id.hex()} is not registered: nothing to renew")
            expires = found.expires + self.registry.policy().term
        return self._event("asset.renew", found.id, expires=format_time(expires))

    def cancel(self, asset: Ref) -> Draft:
        """Return the draft of a cancellation (注销) by the holder."""
        return self._event("asset.cancel", asset)

    def revoke(self, asset: Ref, *, objection: Ref | None = None) -> Draft:
        """Return the draft of a revocation (撤销) by the registrar, perhaps after an upheld objection."""
        extra = {} if objection is None else {"objection": self.objection(objection).id.hex()}
        return self._event("asset.revoke", asset, **extra)

    def transfer(self, asset: Ref, *, to: Ref) -> Draft:
        """Return the draft of a transfer (转让) to a new holder."""
        return self._event("asset.transfer", asset, to=self.party(to).id.hex())

    def pledge(self, asset: Ref, *, pledgee: Ref, terms_sha256: str) -> Draft:
        """Return the draft of a pledge (质押) to a financial institution, on terms kept off the log."""
        return self._event(
            "asset.pledge", asset, pledgee=self.party(pledgee).id.hex(), terms_sha256=terms_sha256
        )

    def release(self, asset: Ref) -> Draft:
        """Return the draft of the release of a pledge (解除质押) by the pledgee."""
        return self._event("asset.release", asset)

    # Licences and objections.

    def grant(
        self,
        asset: Ref,
        *,
        licensee: Ref,
        kind: str,
        scope: Iterable[str],
        territory: Iterable[str] = ("*",),
        start: datetime | None = None,
        end: datetime,
        sublicensing: bool = False,
        fee_terms_sha256: str,
    ) -> Draft:
        """Return the draft of a licence grant (许可) by the holder."""
        if kind not in LICENCE_KINDS:
            raise MalformedInput(f"a licence kind is one of {', '.join(LICENCE_KINDS)}")
        return self._event(
            "licence.grant",
            asset,
            licensee=self.party(licensee).id.hex(),
            kind=kind,
            scope=list(scope),
            territory=list(territory),
            start=format_time(start or self.now),
            end=format_time(end),
            sublicensing=sublicensing,
            fee_terms_sha256=fee_terms_sha256,
        )

    def accept(self, licence: Ref) -> Draft:
        """Return the draft of the licensee's acceptance of a licence."""
        found = self.licence(licence)
        return self._draft("licence.accept", {"licence": found.id.hex()}, submitter=found.licensee)

    def terminate(self, licence: Ref, *, by: Ref) -> Draft:
        """Return the draft of a licence's termination by its licensor or licensee *by*."""
        found, party = self.licence(licence), self.party(by)
        return self._draft("licence.terminate", {"licence": found.id.hex()}, submitter=party.id)

    def file_objection(self, asset: Ref, *, by: Ref, evidence_sha256: str, grounds: str) -> Draft:
        """Return the draft of an objection (异议) filed by *by*."""
        body = {
            "asset": self.asset(asset).id.hex(),
            "evidence_sha256": evidence_sha256,
            "grounds": grounds,
        }
        return self._draft("objection.file", body, submitter=self.party(by).id)

    def decide(self, objection: Ref, *, outcome: str, effect: str | None = None) -> Draft:
        """Return the draft of the registrar's decision on an objection (upheld or dismissed)."""
        found = self.objection(objection)
        extra = {} if effect is None else {"effect": effect}
        return self._event(
            "objection.decide", found.asset, objection=found.id.hex(), outcome=outcome, **extra
        )

    def attest(
        self, party: Ref, *, by: Ref, name: str, registry_id: str, registry_id_type: str = "uscc"
    ) -> Draft:
        """Return the draft of an exchange's (or the operator's) attestation of a party's identity (实名核验)."""
        body = {
            "party": self.party(party).id.hex(),
            "name": name,
            "registry_id_type": registry_id_type,
            "registry_id": registry_id,
        }
        return self._draft("party.attest", body, submitter=self.party(by).id)

    # The machinery.

    def _event(self, type: str, asset: Ref, **members: Any) -> Draft:
        found = self.asset(asset)
        body = {"asset": found.id.hex(), "prev": found.last_event.hex(), **members}
        return self._draft(type, body, submitter=None)

    def _draft(self, type: str, body: Mapping[str, Any], *, submitter: bytes | None) -> Draft:
        if submitter is None:
            # Events: the rules need no particular submitter; the first party they require submits.
            probe = Draft.new(type=type, body=body, signer=bytes(32), signed_at=self.now)
            needs = required_signers(probe.statement, self.registry)
            if not needs:
                raise MalformedInput(f"the rules require no signature of this {type}")
            submitter = next((r for r in needs if r.submitter), needs[0]).parties[0]
        draft = Draft.new(type=type, body=body, signer=self.key_of(submitter), signed_at=self.now)
        signatories = self.signatories(draft.statement)
        return Draft(draft.statement, signatories, self._summary(draft.statement))

    def _summary(self, statement: Statement) -> tuple[str, ...]:
        submitter = self.describe("party", self._party_of_key(statement.signer))
        lines = [f"{statement.type}, submitted by {submitter}"]
        # The typed body the statement was parsed into: its members by their model names.
        content = statement.content
        name = getattr(getattr(content, "particulars", None), "name", None)
        if name is not None:
            lines.append(f"name: {name}")
        for member, kind in _NAMED.items():
            value = getattr(content, member, None)
            if isinstance(value, bytes) and len(value) == 32:
                lines.append(f"{member}: {self.describe(kind, value)}")
        return tuple(lines)

    def _party_of_key(self, key: bytes) -> bytes:
        record = self.registry.key(key)
        return b"" if record is None else record.party

    def _ref(self, party_id: bytes) -> PartyRef:
        party = self.registry.party(party_id)
        keys = tuple(
            r.key
            for r in self.registry.keys.values()
            if r.party == party_id and r.valid_at(self.now)
        )
        return PartyRef(party_id, party.name if party is not None else "unregistered", keys)

    def _default_system(self) -> str:
        systems = self.registry.policy().systems
        if not systems:
            raise MalformedInput("the log's settings name no registration system")
        return systems[0].name


def licence_status(licence: Licence, now: datetime) -> str:
    """Return a licence's status in words: granted, in force, expired or ended."""
    if licence.ended is not None:
        return "ended"
    if not licence.accepted:
        return "granted, awaiting acceptance"
    return "in force" if licence.active_at(now) else "accepted, not in force now"


def _same(name: str, ref: Ref) -> bool:
    return isinstance(ref, str) and name.casefold() == ref.strip().casefold()


def _find(what: str, ref: Ref, things: Mapping[bytes, _T], named: Callable[[_T], bool]) -> _T:
    if isinstance(ref, bytes):
        if ref in things:
            return things[ref]
        raise NotFound(f"no {what} has id {ref.hex()}")
    text = ref.strip()
    hexed = text.lower()
    if len(hexed) == 64 and all(c in "0123456789abcdef" for c in hexed):
        found = things.get(bytes.fromhex(hexed))
        if found is not None:
            return found
    matches = [t for t in things.values() if named(t)]
    if not matches and len(hexed) >= _MIN_PREFIX and all(c in "0123456789abcdef" for c in hexed):
        matches = [t for i, t in things.items() if i.hex().startswith(hexed)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise NotFound(f"no {what} has the id, id prefix or name {text!r}")
    ids = ", ".join(sorted(m.id.hex()[:12] for m in matches))
    raise MalformedInput(f"{text!r} names {len(matches)} {what}s ({ids}); give more of the id")


def commitments(confidential: Mapping[str, Any]) -> dict[str, str]:
    """Return the commitment (hex) to each confidential particular: given, or built from its text and salt.

    A particular is either its commitment, 64 hex digits, or ``{"value": text,
    "salt": base64}``, committed here as SHA-256(salt || text); the salt must
    be 32 random bytes, which the holder keeps to deposit the text later.
    """
    out: dict[str, str] = {}
    for name, given in confidential.items():
        if not isinstance(given, Mapping):
            out[str(name)] = str(given)
            continue
        where = f"confidential particular {name}"
        if set(given) != {"value", "salt"} or not isinstance(given["value"], str):
            raise MalformedInput(
                f'{where}: give its commitment (64 hex digits) or {{"value": text, "salt": '
                f"base64 of {SALT_SIZE} random bytes}}"
            )
        salt = decode_base64(given["salt"], what=f"{where}: salt")
        if len(salt) != SALT_SIZE:
            raise MalformedInput(
                f"{where}: the salt has {len(salt)} bytes; it must be {SALT_SIZE} random bytes, "
                "or the text could never be deposited (the log accepts only a "
                f"{SALT_SIZE}-byte salt). Keep the salt: it is needed to deposit the text."
            )
        out[str(name)] = commit(given["value"].encode(), salt)[0].hex()
    return out
