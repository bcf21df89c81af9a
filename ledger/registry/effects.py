"""What an allowed statement changes."""

from __future__ import annotations

from dataclasses import dataclass

from cunzheng.ledger.registry.parties import KeyRecord, Party
from cunzheng.ledger.registry.policy import Policy
from cunzheng.ledger.registry.state import Object


@dataclass(frozen=True)
class Effects:
    """New or changed parties, keys and registry objects, new settings; digests and assets to index the entry under."""

    parties: tuple[Party, ...] = ()
    keys: tuple[KeyRecord, ...] = ()
    objects: tuple[Object, ...] = ()
    digests: tuple[bytes, ...] = ()
    assets: tuple[bytes, ...] = ()
    settings: Policy | None = None
