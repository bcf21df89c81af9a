"""The registry's state held in memory: for replaying a bundle, a rebuild check or a model."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from cunzheng.ledger.registry.effects import Effects
from cunzheng.ledger.registry.parties import KeyRecord, Party
from cunzheng.ledger.registry.policy import DEFAULT_POLICY, Policy
from cunzheng.ledger.registry.rules import check
from cunzheng.ledger.registry.state import Asset, Licence, Object, Objection, kind_of_object
from cunzheng.ledger.statements import Statement


@dataclass
class MemoryRegistry:
    """A RegistryView over dictionaries, which ``apply`` updates."""

    parties: dict[bytes, Party] = field(default_factory=dict)
    keys: dict[bytes, KeyRecord] = field(default_factory=dict)
    objects: dict[tuple[str, bytes], Object] = field(default_factory=dict)
    digests: dict[bytes, list[int]] = field(default_factory=dict)
    events: dict[bytes, list[int]] = field(default_factory=dict)
    settings: Policy = DEFAULT_POLICY

    def key(self, key: bytes) -> KeyRecord | None:
        """Return the record of *key*, if registered."""
        return self.keys.get(key)

    def party(self, party_id: bytes) -> Party | None:
        """Return the party *party_id*, if registered."""
        return self.parties.get(party_id)

    def has_operator(self) -> bool:
        """Return whether an operator party is registered."""
        return any(p.kind == "operator" for p in self.parties.values())

    def verified_party_with_registry_id(self, registry_id: str) -> Party | None:
        """Return the verified party whose registry id is *registry_id*, if any."""
        return next(
            (p for p in self.parties.values() if p.verified and p.registry_id == registry_id),
            None,
        )

    def policy(self) -> Policy:
        """Return the settings in force: the latest ``log.settings``, or the defaults before any."""
        return self.settings

    def assets_with_fingerprint(self, fingerprint: bytes) -> list[Asset]:
        """Return the assets whose current fingerprint is *fingerprint*."""
        return [
            o
            for o in self.objects.values()
            if isinstance(o, Asset) and o.fingerprint == fingerprint
        ]

    def asset_with_certificate(self, certificate: str) -> Asset | None:
        """Return the asset registered under certificate number *certificate*, if any."""
        found = (
            o
            for o in self.objects.values()
            if isinstance(o, Asset) and o.certificate == certificate
        )
        return next(found, None)

    def asset(self, asset_id: bytes) -> Asset | None:
        """Return the asset *asset_id*, if applied for."""
        obj = self.objects.get(("asset", asset_id))
        return obj if isinstance(obj, Asset) else None

    def licence(self, licence_id: bytes) -> Licence | None:
        """Return the licence *licence_id*, if granted."""
        obj = self.objects.get(("licence", licence_id))
        return obj if isinstance(obj, Licence) else None

    def licences_of(self, asset_id: bytes) -> list[Licence]:
        """Return every licence granted on asset *asset_id*, in log order."""
        found = [o for o in self.objects.values() if isinstance(o, Licence) and o.asset == asset_id]
        return sorted(found, key=lambda o: o.index)

    def objection(self, objection_id: bytes) -> Objection | None:
        """Return the objection *objection_id*, if filed."""
        obj = self.objects.get(("objection", objection_id))
        return obj if isinstance(obj, Objection) else None

    def objections_of(self, asset_id: bytes) -> list[Objection]:
        """Return every objection against asset *asset_id*, in log order."""
        found = [
            o for o in self.objects.values() if isinstance(o, Objection) and o.asset == asset_id
        ]
        return sorted(found, key=lambda o: o.index)

    def apply(self, effects: Effects, index: int) -> None:
        """Take the effects of the statement accepted at *index*."""
        for party in effects.parties:
            self.parties[party.id] = party
        for record in effects.keys:
            self.keys[record.key] = record
        for obj in effects.objects:
            self.objects[(kind_of_object(obj), obj.id)] = obj
        for digest in effects.digests:
            self.digests.setdefault(digest, []).append(index)
        for asset_id in effects.assets:
            self.events.setdefault(asset_id, []).append(index)
        if effects.settings is not None:
            self.settings = effects.settings

    def add(self, statement: Statement, *, index: int, logged_at: datetime) -> Effects:
        """Check *statement* against the state and take its effects; raise RuleViolation if refused."""
        effects = check(statement, index=index, logged_at=logged_at, view=self)
        self.apply(effects, index)
        return effects
