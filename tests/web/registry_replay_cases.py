"""Registry histories for tests/web/registry_replay.test.js, with what the Python replay makes of them.

Prints JSON: for each history (the scripted one of
``tests/web/registry_replay_world.py``, the same with entries left out and
shuffled, and random ones from the reference model of
``tests/ledger/test_registry_model.py``), its entries (index,
logged_at, statement, proved) and, replayed with the log's settings proved
and not: the check ``ledger.verify.replay.replay`` gives each entry, the
reason code ``MemoryRegistry.add`` refuses each with, the signatures
``missing_signers`` says each lacks, and the registry state at the end
(parties, keys, objects, digests, events, settings).
"""

from __future__ import annotations

import json
import random
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from cunzheng.ledger.clock import format_time  # noqa: E402
from cunzheng.ledger.errors import RuleViolation  # noqa: E402
from cunzheng.ledger.registry.memory import MemoryRegistry  # noqa: E402
from cunzheng.ledger.registry.policy import DEFAULT_POLICY, Policy  # noqa: E402
from cunzheng.ledger.registry.signers import missing_signers  # noqa: E402
from cunzheng.ledger.registry.state import kind_of_object, to_doc  # noqa: E402
from cunzheng.ledger.statements import Statement  # noqa: E402
from cunzheng.ledger.verify.replay import REPLAY_POLICY, ReplayEntry, replay  # noqa: E402
from tests.ledger.test_registry_model import run_history  # noqa: E402
from tests.web.registry_replay_world import scripted_history  # noqa: E402


def replay_entries(items: list[tuple[Statement, datetime, bool]]) -> list[ReplayEntry]:
    """Return the statements as bundle entries in log order."""
    return [
        ReplayEntry(index, statement, moment, proved)
        for index, (statement, moment, proved) in enumerate(items)
    ]


def missing(statement: Statement, view: MemoryRegistry) -> Any:
    """Return the signatures *statement* lacks before it is added, or the code that refuses the asking."""
    try:
        needs = missing_signers(statement, view)
    except RuleViolation as e:
        return {"refused": e.reason_code}
    return [
        {
            "role": r.role,
            "parties": [p.hex() for p in r.parties],
            "code": r.code,
            "submitter": r.submitter,
        }
        for r in needs
    ]


def state(
    entries: list[ReplayEntry], policy: Policy | None
) -> tuple[list[str | None], list[Any], dict[str, Any]]:
    """Return, in index order, the reason code each entry is refused with (None: allowed), the
    signatures each lacks (missing_signers, None where not proved), and the state reached."""
    view = MemoryRegistry(settings=policy or REPLAY_POLICY)
    codes: list[str | None] = []
    lacking: list[Any] = []
    for entry in sorted(entries, key=lambda e: e.index):
        if not entry.proved:
            codes.append("skipped")
            lacking.append(None)
            continue
        lacking.append(missing(entry.statement, view))
        try:
            view.add(entry.statement, index=entry.index, logged_at=entry.logged_at)
        except RuleViolation as e:
            codes.append(e.reason_code)
            continue
        codes.append(None)
        if policy is None:
            view.settings = REPLAY_POLICY
    return (
        codes,
        lacking,
        {
            "parties": [to_doc(p) for p in view.parties.values()],  # type: ignore[arg-type]
            "keys": [to_doc(k) for k in view.keys.values()],  # type: ignore[arg-type]
            "objects": [[kind_of_object(o), to_doc(o)] for o in view.objects.values()],
            "digests": {d.hex(): indices for d, indices in view.digests.items()},
            "events": {a.hex(): indices for a, indices in view.events.items()},
            "settings": view.settings.body(),
        },
    )


def run(entries: list[ReplayEntry], policy: Policy | None) -> dict[str, Any]:
    checks = replay(entries, policy=policy)
    codes, lacking, end = state(entries, policy)
    return {
        "settings_proved": policy is not None,
        "checks": {
            str(index): {
                "check": c.check,
                "subject": c.subject,
                "outcome": c.outcome.value,
                "reason": c.reason,
                "required": c.required,
                "facts": dict(c.facts),
                "detail": c.detail,
            }
            for index, c in checks.items()
        },
        "codes": codes,
        "missing": lacking,
        "state": end,
    }


def history(name: str, entries: list[ReplayEntry]) -> dict[str, Any]:
    return {
        "name": name,
        "entries": [
            {
                "index": e.index,
                "logged_at": format_time(e.logged_at),
                "statement": e.statement.to_json(),
                "proved": e.proved,
            }
            for e in entries
        ],
        "runs": [run(entries, None), run(entries, DEFAULT_POLICY)],
    }


def histories() -> list[dict[str, Any]]:
    out = [history("scripted", replay_entries(scripted_history()))]
    for seed in (1, 2):
        # A bundle that leaves entries out, its entries in no order: the replay sorts them.
        rnd = random.Random(seed)
        kept = [e for e in replay_entries(scripted_history()) if rnd.random() > 0.15]
        rnd.shuffle(kept)
        out.append(history(f"scripted, entries left out and shuffled ({seed})", kept))
    for seed in (7, 2026, 31337):
        _, record = run_history(seed, 150)
        # A few entries of each model history are not proved (their bundle entry does not verify).
        rnd = random.Random(seed)
        items = [(s, moment, rnd.random() > 0.04) for s, moment, _ in record]
        out.append(history(f"model {seed}", replay_entries(items)))
    return out


if __name__ == "__main__":
    print(json.dumps(histories(), ensure_ascii=False))
