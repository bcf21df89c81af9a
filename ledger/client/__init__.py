"""A typed client of a Cunzheng log, synchronous and async, over httpx.

``Client`` / ``AsyncClient`` submit statements, ask a court's questions and
fetch bundles, receipts and search results; a refusal is raised as the
ledger's own error (``RuleViolation`` with its ``reason_code``, ``NotFound``,
...) carrying the server's message. ``desk()`` returns a ``Desk``: the
registry replayed from the log's tiles and verified here, which drafts every
registry statement (``apply``, ``publicize``, ``register``, ``grant``, ...)
as a ``Draft`` that lists who must sign it by the log's own rules. Each party
adds its signature with ``Draft.sign(key)`` on its own machine (a draft
travels as a file, ``Draft.to_json``); ``submit(draft)`` sends it once every
required signature is there, and returns the ``Logged`` outcome.

    from cunzheng.ledger.client import Client

    with Client("https://log.example.org") as log:
        draft = log.desk().publicize("Traffic flows 2025")
        print(log.submit(draft.sign(exchange_key)).status)   # publicized
"""

from cunzheng.ledger.client.desk import Desk, Ref, licence_status
from cunzheng.ledger.client.drafts import DRAFT_FORMAT, Draft, PartyRef, Signatory
from cunzheng.ledger.client.http import AsyncClient, Client, Logged
from cunzheng.ledger.client.mirror import Mirror

__all__ = [
    "DRAFT_FORMAT",
    "AsyncClient",
    "Client",
    "Desk",
    "Draft",
    "Logged",
    "Mirror",
    "PartyRef",
    "Ref",
    "Signatory",
    "licence_status",
]
