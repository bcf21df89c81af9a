"""The log's own registry settings: that a bundle carries every ``log.settings`` entry, by the index.

The registry's rules depend on settings the operator states in ``log.settings``
entries (publicity period, longest term, registration systems and their
number formats; ``ledger.registry.policy``); a log that states none runs
under ``DEFAULT_POLICY``, part of the log format. The log's index lists
every such entry under ``settings:log`` (``ledger.index.entries``), and a
bundle with registry or party entries carries the key's proof at its
checkpoint, present or absent, with every entry it lists (role
``settings``). ``check_settings`` checks the proof against the checkpoint's
index line and requires the bundle's settings entries to be exactly those
listed, each proved. The replay (``ledger.verify.replay``) then starts from
``DEFAULT_POLICY`` and applies each settings entry from its index on, as the
log did: an event that broke the log's own settings is refused there.

Reason codes: ``settings.proved``; ``settings.not_proved`` (the bundle
carries no proof, as one made at a checkpoint earlier than the log's latest:
not checked, and the replay falls back to ``REPLAY_POLICY``, which checks no
setting; required only of a bundle that answers a question, whose builder
always proves it); ``settings.index_proof`` (a proof that does not verify
against the signed root, or a document that is not a list of entries);
``settings.missing_entry``; ``settings.extra_entry``. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from cunzheng.ledger.errors import InvalidProof, MalformedInput
from cunzheng.ledger.index import SETTINGS_KEY, checkpoint_index_root
from cunzheng.ledger.note import Checkpoint
from cunzheng.ledger.verify.checkpoints import unusable
from cunzheng.ledger.verify.completeness import asset_events, proved_documents
from cunzheng.ledger.verify.report import Check, Fact, Outcome
from cunzheng.schemas.bundles import BundleIndexProof

__all__ = ["check_settings"]


def check_settings(
    proofs: Sequence[BundleIndexProof],
    cp: Checkpoint | None,
    entries: Mapping[int, bool],
    *,
    needed: bool,
    required: bool,
) -> Check | None:
    """Return the check that the bundle's settings entries are all the log's, by the proofs at *cp*; None if nothing rests on them.

    *proofs* are the index proofs to check here (among them that of
    ``settings:log``, if the bundle carries it); *entries* maps the index of
    each settings entry in the bundle to whether its signature and inclusion
    proof held. *needed* says the bundle has entries whose replay depends on
    the settings; *required* that a missing proof fails the bundle.
    """
    facts: dict[str, Fact] = {"entries": len(entries)}
    if not proofs:
        if not needed and not entries:
            return None
        outcome, reason = Outcome.NOT_CHECKED, "settings.not_proved"
        return Check("settings", "settings", outcome, reason, required, facts)
    if cp is None:
        return unusable("settings", "settings", facts)
    facts["size"] = cp.size
    try:
        root = checkpoint_index_root(cp)
        if root is None:
            raise MalformedInput(
                f"the bundle carries index proofs, but its checkpoint of {cp.size} entries "
                "commits to no index"
            )
        docs = proved_documents(root, proofs)
        if SETTINGS_KEY not in docs:
            return Check(
                "settings", "settings", Outcome.NOT_CHECKED, "settings.not_proved", required, facts
            )
        listed = asset_events(SETTINGS_KEY, docs[SETTINGS_KEY])
    except (InvalidProof, MalformedInput) as e:
        return _check(Outcome.FAILED, "settings.index_proof", facts, e.message)
    facts["listed"] = len(listed)
    held = {i for i, proved in entries.items() if proved}
    missing = [i for i in listed if i not in held]
    if missing:
        facts["missing"] = ", ".join(map(str, missing))
        detail = f"the index lists settings entries {missing}; the bundle lacks them"
        return _check(Outcome.FAILED, "settings.missing_entry", facts, detail)
    extra = sorted(set(entries) - set(listed))
    if extra:
        facts["extra"] = ", ".join(map(str, extra))
        detail = f"entries {extra} are not among the settings entries the index lists"
        return _check(Outcome.FAILED, "settings.extra_entry", facts, detail)
    return _check(Outcome.PASSED, "settings.proved", facts)


def _check(outcome: Outcome, reason: str, facts: dict[str, Fact], detail: str = "") -> Check:
    return Check("settings", "settings", outcome, reason, True, facts, detail)
