"""The questions a court asks of the registry; each answer comes with its evidence bundle.

The bundle carries the question and the answer as its claim, with every
entry the answer rests on and the index proofs that show they are all of
them, so that ``cunzheng verify`` recomputes the answer offline and refuses
it if any entry was altered or left out.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from starlette.concurrency import run_in_threadpool

from cunzheng.api.deps import get_clock, get_reader, get_registry
from cunzheng.api.openapi import problems
from cunzheng.api.params import CERTIFICATE_NUMBER, HEX_DIGEST, RFC3339_UTC, AssetId, rule
from cunzheng.ledger import questions
from cunzheng.ledger.answers import answer_json
from cunzheng.ledger.bodies import hex_digest
from cunzheng.ledger.bundles import build_answer_bundle
from cunzheng.ledger.clock import Clock, format_time, parse_time
from cunzheng.ledger.errors import MalformedInput
from cunzheng.ledger.index import Lookup
from cunzheng.ledger.reader import LogReader
from cunzheng.ledger.store import ReadOnlyStore
from cunzheng.schemas.questions import Question
from cunzheng.schemas.registry import RegistryAnswer

router = APIRouter(
    prefix="/v1",
    tags=["registry"],
    responses=problems(
        400,
        404,
        s404="not_found: the asset or party is unknown, or the log's index is not built yet.",
    ),
)
ReaderDep = Annotated[LogReader, Depends(get_reader)]
RegistryDep = Annotated[ReadOnlyStore, Depends(get_registry)]
At = Annotated[
    str | None,
    Query(description="RFC 3339 UTC time; default: now.", json_schema_extra=rule(RFC3339_UTC)),
]

NowDep = Annotated[Clock, Depends(get_clock)]


def _answer(reader: LogReader, question: Question, answer: questions.Answer) -> RegistryAnswer:
    value = answer_json(answer.value)
    bundle = build_answer_bundle(reader, question, value, answer.indexes)
    return RegistryAnswer(question=question, answer=value, bundle=bundle)


def _at(text: str | None, now: Clock) -> datetime:
    return now() if text is None else _moment(text)


def _moment(text: str) -> datetime:
    # A question carries its time in RFC 3339's four-digit years.
    moment = parse_time(text, what="at")
    if moment.year < 1000:
        raise MalformedInput(f"at {text!r}: a question's time lies in the years 1000 to 9999")
    return moment


def _lookup(reader: LogReader) -> Lookup:
    """Return a lookup of index keys at the log's latest checkpoint."""
    return lambda key: reader.index_proof(key).value


def _certificate(text: str) -> str:
    if not 0 < len(text) <= 64 or any(c.isspace() for c in text):
        raise MalformedInput("a certificate number is 1 to 64 characters without spaces")
    return text


def _purpose(text: str) -> str:
    if not text:
        raise MalformedInput("purpose must not be empty")
    return text


@router.get("/assets/{asset_id}", response_model=RegistryAnswer)
async def history(asset_id: AssetId, registry: RegistryDep, reader: ReaderDep) -> RegistryAnswer:
    """The asset as it stands, with every event of its history."""
    asset = hex_digest(asset_id, "asset id")
    answer = await run_in_threadpool(questions.history, registry, asset)
    question = Question(kind="history", asset=asset.hex())
    return await run_in_threadpool(_answer, reader, question, answer)


@router.get("/assets/{asset_id}/holder", response_model=RegistryAnswer)
async def holder(
    asset_id: AssetId, registry: RegistryDep, reader: ReaderDep, now: NowDep, at: At = None
) -> RegistryAnswer:
    """The party that held the asset at a given time."""
    asset, moment = hex_digest(asset_id, "asset id"), _at(at, now)
    answer = await run_in_threadpool(questions.holder_on, registry, asset, moment)
    question = Question(kind="holder", asset=asset.hex(), at=format_time(moment))
    return await run_in_threadpool(_answer, reader, question, answer)


@router.get("/assets/{asset_id}/licensed", response_model=RegistryAnswer)
async def licensed(
    asset_id: AssetId,
    registry: RegistryDep,
    reader: ReaderDep,
    party: Annotated[
        str,
        Query(
            description="The party's id, 64 lowercase hex digits.",
            json_schema_extra=rule(HEX_DIGEST),
        ),
    ],
    purpose: Annotated[
        str,
        Query(
            description="The purpose of use, as licences name it.",
            json_schema_extra={"minLength": 1},
        ),
    ],
    now: NowDep,
    at: At = None,
) -> RegistryAnswer:
    """Whether a party was licensed to use the asset for a purpose at a time, and under which licences."""
    asset, who, moment = hex_digest(asset_id, "asset id"), hex_digest(party, "party"), _at(at, now)
    answer = await run_in_threadpool(
        questions.licences_on, registry, asset, who, _purpose(purpose), moment
    )
    question = Question(
        kind="licensed",
        asset=asset.hex(),
        party=who.hex(),
        purpose=purpose,
        at=format_time(moment),
    )
    return await run_in_threadpool(_answer, reader, question, answer)


@router.get("/parties/{party_id}/portfolio", response_model=RegistryAnswer)
async def portfolio(
    party_id: Annotated[
        str,
        Path(
            description="The party's id, 64 lowercase hex digits.",
            json_schema_extra=rule(HEX_DIGEST),
        ),
    ],
    registry: RegistryDep,
    reader: ReaderDep,
    at: Annotated[
        str | None,
        Query(
            description="RFC 3339 UTC time; default: the portfolio as it stands.",
            json_schema_extra=rule(RFC3339_UTC),
        ),
    ] = None,
) -> RegistryAnswer:
    """The assets a party holds, the licences it holds and the assets pledged to it, now or at a time."""
    party = hex_digest(party_id, "party id")
    if at is None:
        answer = await run_in_threadpool(questions.portfolio, registry, party)
        question = Question(kind="portfolio", party=party.hex())
    else:
        moment = _moment(at)
        answer = await run_in_threadpool(
            questions.portfolio_on, registry, _lookup(reader), party, moment
        )
        question = Question(kind="portfolio", party=party.hex(), at=format_time(moment))
    return await run_in_threadpool(_answer, reader, question, answer)


@router.get("/fingerprints/{digest}/assets", response_model=RegistryAnswer)
async def fingerprint(
    digest: Annotated[
        str,
        Path(
            description="A dataset fingerprint, 64 lowercase hex digits.",
            json_schema_extra=rule(HEX_DIGEST),
        ),
    ],
    registry: RegistryDep,
    reader: ReaderDep,
) -> RegistryAnswer:
    """The assets whose application or a new version bore a dataset fingerprint (none: provably none)."""
    fp = hex_digest(digest, "fingerprint")
    answer = await run_in_threadpool(questions.fingerprint, registry, _lookup(reader), fp)
    question = Question(kind="fingerprint", fingerprint=fp.hex())
    return await run_in_threadpool(_answer, reader, question, answer)


@router.get("/certificates/{number}", response_model=RegistryAnswer)
async def certificate(
    number: Annotated[
        str,
        Path(
            description="A certificate number: 1 to 64 characters, no white space.",
            json_schema_extra=rule(CERTIFICATE_NUMBER),
        ),
    ],
    registry: RegistryDep,
    reader: ReaderDep,
) -> RegistryAnswer:
    """The asset registered under a certificate number, as it stands (none: provably none)."""
    question = Question(kind="certificate", certificate=_certificate(number))
    answer = await run_in_threadpool(questions.certificate, registry, _lookup(reader), number)
    return await run_in_threadpool(_answer, reader, question, answer)
