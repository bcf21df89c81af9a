"""The log over HTTP: ``Client`` (synchronous) and ``AsyncClient``, both over httpx.

Both speak the same API (``docs/api.md``) with the same requests, built once
in ``_Requests``: submit statements, the court's questions, bundles,
receipts and search, and the registry desk. A refusal is raised as the
ledger's error with the server's message (``ledger.client.refusals``).

The desk is drafted against a ``Mirror`` of the registry that the client
replays from the log's tiles and keeps between calls, so every draft and
every "who still must sign" answer comes from the rules the log enforces.
The log's key is pinned with *log_key*, or taken from ``/log/info`` on first
use (trust on first use).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
import orjson

from cunzheng.ledger.client.desk import Desk
from cunzheng.ledger.client.drafts import Draft
from cunzheng.ledger.client.mirror import Mirror
from cunzheng.ledger.client.refusals import refusal
from cunzheng.ledger.clock import format_time, parse_time, utc_now
from cunzheng.ledger.errors import LedgerError, RuleViolation
from cunzheng.ledger.monitor import http_fetch
from cunzheng.ledger.note import Verifier
from cunzheng.ledger.registry.signers import missing_signers
from cunzheng.ledger.statements import Statement

__all__ = ["AsyncClient", "Client", "Logged"]

_JSON = {"Content-Type": "application/json"}


@dataclass(frozen=True)
class Logged:
    """A statement the log accepted: its id, index, time, the status of what it concerns, and its receipt."""

    id: str
    type: str
    index: int
    logged_at: datetime
    status: str
    receipt: Mapping[str, Any] = field(repr=False)

    def to_json(self) -> dict[str, Any]:
        """Return the outcome as a JSON object (the receipt included)."""
        return {
            "id": self.id,
            "type": self.type,
            "index": self.index,
            "logged_at": format_time(self.logged_at),
            "status": self.status,
            "receipt": dict(self.receipt),
        }


@dataclass(frozen=True)
class _Request:
    method: str
    path: str
    what: str
    params: Mapping[str, str] = field(default_factory=dict)
    body: bytes | None = None


def _hex(value: str | bytes) -> str:
    return value.hex() if isinstance(value, bytes) else value


def _at(at: datetime | None) -> dict[str, str]:
    return {} if at is None else {"at": format_time(at)}


class _Requests:
    """The API's requests, built once for both clients."""

    @staticmethod
    def info() -> _Request:
        return _Request("GET", "/log/info", "the log's info")

    @staticmethod
    def submit(statement: Statement | Mapping[str, Any]) -> _Request:
        body = statement.canonical if isinstance(statement, Statement) else orjson.dumps(statement)
        return _Request("POST", "/v1/statements", "submitting a statement", body=body)

    @staticmethod
    def batch(statements: Iterable[Statement | Mapping[str, Any]]) -> _Request:
        items = [s.to_json() if isinstance(s, Statement) else dict(s) for s in statements]
        return _Request(
            "POST", "/v1/statements/batch", "submitting a batch", body=orjson.dumps(items)
        )

    @staticmethod
    def entry(index: int) -> _Request:
        return _Request("GET", f"/log/entries/{index}", f"entry {index}")

    @staticmethod
    def search(digest: str | bytes) -> _Request:
        return _Request("GET", "/v1/evidence", "search", params={"sha256": _hex(digest)})

    @staticmethod
    def bundle(
        indexes: Iterable[int], leaf_hashes: Iterable[str], receipts: Iterable[Mapping[str, Any]]
    ) -> _Request:
        body = {
            "indexes": list(indexes),
            "leaf_hashes": list(leaf_hashes),
            "receipts": [dict(r) for r in receipts],
        }
        return _Request("POST", "/v1/bundles", "a bundle", body=orjson.dumps(body))

    @staticmethod
    def question(path: str, params: Mapping[str, str]) -> _Request:
        return _Request("GET", f"/v1/{path}", "a question", params=params)


def _missing(statement: Statement, desk: Desk) -> None:
    """Raise RuleViolation, naming every signature still missing, if the rules would refuse it for one."""
    missing = missing_signers(statement, desk.registry)
    if missing:
        names = "; ".join(str(s) for s in desk.signatories(statement) if _unmet(s, missing))
        raise RuleViolation(
            missing[0].code,
            f"{statement.type} still needs the signature of {names}; not submitted "
            "(add each with `cunzheng cosign` on the signer's machine)",
        )


def _unmet(signatory: Any, missing: list[Any]) -> bool:
    return any(
        m.role == signatory.role and m.parties == tuple(p.id for p in signatory.parties)
        for m in missing
    )


def _logged(statement: Statement, receipt: Mapping[str, Any], desk: Desk) -> Logged:
    return Logged(
        statement.hash.hex(),
        statement.type,
        int(receipt["index"]),
        parse_time(receipt["logged_at"], what="logged_at"),
        desk.status(statement),
        receipt,
    )


class _Base:
    def __init__(self, url: str, *, log_key: Verifier | None, now: Callable[[], datetime]) -> None:
        self.url = url.rstrip("/")
        self._log_key = log_key
        self._mirror: Mirror | None = None
        self._now = now

    def _desk(self, mirror: Mirror) -> Desk:
        now = self._now()
        if mirror.latest is not None and mirror.latest > now:
            now = mirror.latest  # the log's clock is ahead of ours: draft in its time
        return Desk(mirror.registry, mirror.names, now=now)

    @staticmethod
    def _answer(request: _Request, response: httpx.Response) -> Any:
        if response.status_code >= 400:
            raise refusal(response.status_code, response.content, what=request.what)
        return response.json()

    def _refresh_in(self, http: httpx.Client, mirror: Mirror) -> None:
        mirror.refresh(http_fetch(http, self.url + "/log"))


class Client(_Base):
    """A synchronous client of one log; use it as a context manager, or call ``close``."""

    def __init__(
        self,
        url: str,
        *,
        log_key: Verifier | None = None,
        timeout: float = 60.0,
        http: httpx.Client | None = None,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        super().__init__(url, log_key=log_key, now=now)
        self._http = http or httpx.Client(timeout=timeout)

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP connections."""
        self._http.close()

    def _send(self, request: _Request) -> Any:
        try:
            response = self._http.request(
                request.method,
                self.url + request.path,
                params=dict(request.params),
                content=request.body,
                headers=_JSON if request.body is not None else None,
            )
        except httpx.HTTPError as e:
            raise LedgerError(f"cannot reach the log at {self.url}: {e}") from None
        return self._answer(request, response)

    # The log.

    def info(self) -> dict[str, Any]:
        """Return ``/log/info``: origin, verifier key, size, root and checkpoint."""
        answer: dict[str, Any] = self._send(_Requests.info())
        return answer

    def log_key(self) -> Verifier:
        """Return the log's verifier key: the pinned one, or the one ``/log/info`` gives first."""
        if self._log_key is None:
            self._log_key = Verifier.from_string(self.info()["verifier_key"])
        return self._log_key

    def submit_statement(self, statement: Statement | Mapping[str, Any]) -> dict[str, Any]:
        """Return the receipt of a signed statement, once the log has taken it."""
        answer: dict[str, Any] = self._send(_Requests.submit(statement))
        return answer

    def submit_batch(self, statements: Iterable[Statement | Mapping[str, Any]]) -> list[Any]:
        """Return the receipts of signed statements submitted as one batch, in order."""
        return list(self._send(_Requests.batch(statements))["receipts"])

    def entry(self, index: int) -> dict[str, Any]:
        """Return log entry *index*: its leaf hash, time and statement."""
        answer: dict[str, Any] = self._send(_Requests.entry(index))
        return answer

    def search(self, digest: str | bytes) -> dict[str, Any]:
        """Return every logged statement that references a digest or dataset root, with receipts."""
        answer: dict[str, Any] = self._send(_Requests.search(digest))
        return answer

    def receipts(self, digest: str | bytes) -> list[Any]:
        """Return the receipts of every statement that references *digest*."""
        return list(self.search(digest)["receipts"])

    def bundle(
        self,
        *,
        indexes: Iterable[int] = (),
        leaf_hashes: Iterable[str] = (),
        receipts: Iterable[Mapping[str, Any]] = (),
    ) -> dict[str, Any]:
        """Return an evidence bundle of the entries named by index, leaf hash or receipt."""
        answer: dict[str, Any] = self._send(_Requests.bundle(indexes, leaf_hashes, receipts))
        return answer

    # A court's questions, each answered with its bundle.

    def history(self, asset: str | bytes) -> dict[str, Any]:
        """Return the asset as it stands, with every event of its history."""
        return self._question(f"assets/{_hex(asset)}", {})

    def holder(self, asset: str | bytes, *, at: datetime | None = None) -> dict[str, Any]:
        """Return the party that held the asset at *at* (default: now)."""
        return self._question(f"assets/{_hex(asset)}/holder", _at(at))

    def licensed(
        self, asset: str | bytes, *, party: str | bytes, purpose: str, at: datetime | None = None
    ) -> dict[str, Any]:
        """Return whether *party* was licensed to use the asset for *purpose* at *at*, and under which licences."""
        params = {"party": _hex(party), "purpose": purpose, **_at(at)}
        return self._question(f"assets/{_hex(asset)}/licensed", params)

    def portfolio(self, party: str | bytes, *, at: datetime | None = None) -> dict[str, Any]:
        """Return what a party holds, is licensed and holds as pledgee, now or at *at*."""
        return self._question(f"parties/{_hex(party)}/portfolio", _at(at))

    def fingerprint(self, digest: str | bytes) -> dict[str, Any]:
        """Return the assets whose application or a version bore fingerprint *digest*."""
        return self._question(f"fingerprints/{_hex(digest)}/assets", {})

    def certificate(self, number: str) -> dict[str, Any]:
        """Return the asset registered under certificate *number*."""
        return self._question(f"certificates/{number}", {})

    def _question(self, path: str, params: Mapping[str, str]) -> dict[str, Any]:
        answer: dict[str, Any] = self._send(_Requests.question(path, params))
        return answer

    # The registry desk.

    def desk(self) -> Desk:
        """Return the registry as the log's latest checkpoint holds it, replayed and verified here."""
        if self._mirror is None:
            self._mirror = Mirror(self.log_key())
        self._refresh_in(self._http, self._mirror)
        return self._desk(self._mirror)

    def signatories(self, draft: Draft) -> Draft:
        """Return *draft* with who must sign it as the rules say against the log as it stands."""
        return self.desk().refresh_draft(draft)

    def submit(self, draft: Draft | Statement) -> Logged:
        """Submit a draft whose every required signature is there; return what the log made of it.

        Raises RuleViolation, before anything is sent, if the rules would refuse it
        for a missing signature, naming every party that still has to sign.
        """
        statement = draft.final() if isinstance(draft, Draft) else draft
        _missing(statement, self.desk())
        receipt = self.submit_statement(statement)
        return _logged(statement, receipt, self.desk())


class AsyncClient(_Base):
    """An asynchronous client of one log, over ``httpx.AsyncClient``; ``async with`` it, or ``aclose``.

    The registry mirror is refreshed in a worker thread (the tile reads and the
    replay of the rules are synchronous), never on the event loop.
    """

    def __init__(
        self,
        url: str,
        *,
        log_key: Verifier | None = None,
        timeout: float = 60.0,
        http: httpx.AsyncClient | None = None,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        super().__init__(url, log_key=log_key, now=now)
        self._timeout = timeout
        self._http = http or httpx.AsyncClient(timeout=timeout)
        self._lock = asyncio.Lock()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        await self._http.aclose()

    async def _send(self, request: _Request) -> Any:
        try:
            response = await self._http.request(
                request.method,
                self.url + request.path,
                params=dict(request.params),
                content=request.body,
                headers=_JSON if request.body is not None else None,
            )
        except httpx.HTTPError as e:
            raise LedgerError(f"cannot reach the log at {self.url}: {e}") from None
        return self._answer(request, response)

    async def info(self) -> dict[str, Any]:
        """Return ``/log/info``: origin, verifier key, size, root and checkpoint."""
        answer: dict[str, Any] = await self._send(_Requests.info())
        return answer

    async def log_key(self) -> Verifier:
        """Return the log's verifier key: the pinned one, or the one ``/log/info`` gives first."""
        if self._log_key is None:
            self._log_key = Verifier.from_string((await self.info())["verifier_key"])
        return self._log_key

    async def submit_statement(self, statement: Statement | Mapping[str, Any]) -> dict[str, Any]:
        """Return the receipt of a signed statement, once the log has taken it."""
        answer: dict[str, Any] = await self._send(_Requests.submit(statement))
        return answer

    async def submit_batch(self, statements: Iterable[Statement | Mapping[str, Any]]) -> list[Any]:
        """Return the receipts of signed statements submitted as one batch, in order."""
        return list((await self._send(_Requests.batch(statements)))["receipts"])

    async def entry(self, index: int) -> dict[str, Any]:
        """Return log entry *index*: its leaf hash, time and statement."""
        answer: dict[str, Any] = await self._send(_Requests.entry(index))
        return answer

    async def search(self, digest: str | bytes) -> dict[str, Any]:
        """Return every logged statement that references a digest or dataset root, with receipts."""
        answer: dict[str, Any] = await self._send(_Requests.search(digest))
        return answer

    async def receipts(self, digest: str | bytes) -> list[Any]:
        """Return the receipts of every statement that references *digest*."""
        return list((await self.search(digest))["receipts"])

    async def bundle(
        self,
        *,
        indexes: Iterable[int] = (),
        leaf_hashes: Iterable[str] = (),
        receipts: Iterable[Mapping[str, Any]] = (),
    ) -> dict[str, Any]:
        """Return an evidence bundle of the entries named by index, leaf hash or receipt."""
        answer: dict[str, Any] = await self._send(_Requests.bundle(indexes, leaf_hashes, receipts))
        return answer

    async def history(self, asset: str | bytes) -> dict[str, Any]:
        """Return the asset as it stands, with every event of its history."""
        return await self._question(f"assets/{_hex(asset)}", {})

    async def holder(self, asset: str | bytes, *, at: datetime | None = None) -> dict[str, Any]:
        """Return the party that held the asset at *at* (default: now)."""
        return await self._question(f"assets/{_hex(asset)}/holder", _at(at))

    async def licensed(
        self, asset: str | bytes, *, party: str | bytes, purpose: str, at: datetime | None = None
    ) -> dict[str, Any]:
        """Return whether *party* was licensed to use the asset for *purpose* at *at*, and under which licences."""
        params = {"party": _hex(party), "purpose": purpose, **_at(at)}
        return await self._question(f"assets/{_hex(asset)}/licensed", params)

    async def portfolio(self, party: str | bytes, *, at: datetime | None = None) -> dict[str, Any]:
        """Return what a party holds, is licensed and holds as pledgee, now or at *at*."""
        return await self._question(f"parties/{_hex(party)}/portfolio", _at(at))

    async def fingerprint(self, digest: str | bytes) -> dict[str, Any]:
        """Return the assets whose application or a version bore fingerprint *digest*."""
        return await self._question(f"fingerprints/{_hex(digest)}/assets", {})

    async def certificate(self, number: str) -> dict[str, Any]:
        """Return the asset registered under certificate *number*."""
        return await self._question(f"certificates/{number}", {})

    async def _question(self, path: str, params: Mapping[str, str]) -> dict[str, Any]:
        answer: dict[str, Any] = await self._send(_Requests.question(path, params))
        return answer

    async def desk(self) -> Desk:
        """Return the registry as the log's latest checkpoint holds it, replayed and verified here."""
        async with self._lock:
            if self._mirror is None:
                self._mirror = Mirror(await self.log_key())
            mirror = self._mirror
            await asyncio.to_thread(self._refresh, mirror)
        return self._desk(mirror)

    def _refresh(self, mirror: Mirror) -> None:
        with httpx.Client(timeout=self._timeout) as http:
            self._refresh_in(http, mirror)

    async def signatories(self, draft: Draft) -> Draft:
        """Return *draft* with who must sign it as the rules say against the log as it stands."""
        return (await self.desk()).refresh_draft(draft)

    async def submit(self, draft: Draft | Statement) -> Logged:
        """Submit a draft whose every required signature is there; return what the log made of it.

        Raises RuleViolation, before anything is sent, if the rules would refuse it
        for a missing signature, naming every party that still has to sign.
        """
        statement = draft.final() if isinstance(draft, Draft) else draft
        _missing(statement, await self.desk())
        receipt = await self.submit_statement(statement)
        return _logged(statement, receipt, await self.desk())
