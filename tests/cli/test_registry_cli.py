"""The exchange's desk from the command line: the whole registry procedure with keys that never meet.

Three parties — a rights holder, the exchange and a buyer — each keep their
own key file; a bank (a financial institution) and the exchange are
registered by the operator. Statements that need several signatures are
prepared as draft files (``--prepare``), signed by each party on its own
(``cunzheng cosign FILE --key K``) and submitted (``cunzheng submit``); the
server runs in a thread on a fixed clock that the test moves past the
publicity period.
"""

from __future__ import annotations

import importlib
import json
import shlex
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from cunzheng.cli.arguments import build_parser
from cunzheng.ledger.clock import format_time
from cunzheng.ledger.keyfiles import OPERATOR_KEY_FILE
from tests.conftest import (
    CliResult,
    FixedClock,
    LiveServer,
    run_cli,
    serve_in_thread,
    server_settings,
    stop_server,
)

USCC = "91310000MA1FL1234Q"
PARTICULARS = {
    "name": "Traffic flows 2025",
    "industry": "transport",
    "scenario": "urban planning",
    "source": "road sensors we operate",
    "legality": "collected under our municipal licence",
    "scale": {"records": 10000},
    "update_frequency": "daily",
    "structure": "id, sensor, time, count",
    "confidential": {"processing_rules": "ab" * 32},
}


@pytest.fixture
def served(database_url: str, tmp_path: Path, clock: FixedClock) -> Iterator[LiveServer]:
    """The app on a fixed clock, with the default settings (15 days of publicity)."""
    server = serve_in_thread(
        server_settings(tmp_path / "data", database_url, batch_wait_ms=1), now=clock
    )
    yield server
    stop_server(server)


def ok(*args: str) -> str:
    r = run_cli(*args)
    assert r.returncode == 0, (args, r.stdout, r.stderr)
    return r.stdout


def refused(*args: str) -> CliResult:
    r = run_cli(*args)
    assert r.returncode == 1, (args, r.stdout, r.stderr)
    last = r.stderr.strip().splitlines()[-1]
    assert "Traceback" not in r.stderr and last.startswith("cunzheng "), r.stderr
    return r


def outcome(stdout: str) -> dict[str, str]:
    """Return the id, index and status of the line a desk command prints."""
    ident, _, index, status = stdout.strip().split(None, 3)
    return {"id": ident, "index": index, "status": status}


class Desk:
    """The command line against one server, with each party's key file."""

    def __init__(self, server: LiveServer, keys: dict[str, Path], tmp: Path) -> None:
        self.server, self.keys, self.tmp = server, keys, tmp

    def direct(self, *args: str, key: str) -> dict[str, str]:
        """Run a desk command signed and submitted by one party."""
        return outcome(ok(*args, "--server", self.server.url, "--key", str(self.keys[key])))

    def passed(self, name: str, *args: str, signers: tuple[str, ...]) -> dict[str, str]:
        """Prepare a draft, have each signer add its signature with its own key, and submit it."""
        draft = self.tmp / f"{name}.draft.json"
        prepared = ok(*args, "--server", self.server.url, "--prepare", str(draft))
        assert "missing" in prepared and f"draft written to {draft}" in prepared
        for i, signer in enumerate(signers):
            signed = ok("cosign", str(draft), "--key", str(self.keys[signer]))
            complete = "every signature the rules require is there" in signed
            assert complete == (i == len(signers) - 1), signed
        return outcome(ok("submit", str(draft), "--server", self.server.url))

    def size(self) -> int:
        return int(httpx.get(f"{self.server.url}/log/info").json()["size"])


def _parties(server: LiveServer, tmp: Path) -> dict[str, Path]:
    keys = {name: tmp / f"{name}.key" for name in ("holder", "exchange", "buyer", "bank")}
    for path in keys.values():
        ok("keygen", "--out", str(path))
    operator = str(server.data_dir / OPERATOR_KEY_FILE)
    for name, kind, title in (
        ("exchange", "exchange", "Shanghai Data Exchange"),
        ("bank", "financial_institution", "Bank of Pudong"),
    ):
        ok(
            "register", "--server", server.url, "--key", operator, "--party-key",
            str(keys[name]), "--kind", kind, "--name", title,
        )  # fmt: skip
    ok(
        "register", "--server", server.url, "--key", str(keys["holder"]), "--kind",
        "rights_holder", "--name", "Alice Data Ltd", "--registry-id", USCC,
    )  # fmt: skip
    ok(
        "register", "--server", server.url, "--key", str(keys["buyer"]), "--kind",
        "rights_holder", "--name", "Buyer Ltd",
    )  # fmt: skip
    return keys


def test_the_whole_procedure_from_the_command_line(
    served: LiveServer, clock: FixedClock, tmp_path: Path
) -> None:
    desk = Desk(served, _parties(served, tmp_path), tmp_path)
    particulars = tmp_path / "traffic.json"
    particulars.write_text(json.dumps(PARTICULARS), encoding="utf-8")
    data = tmp_path / "traffic.csv"
    data.write_text("id,sensor,time,count\n1,A7,08:00,120\n", encoding="utf-8")
    evidence, fee, loan = (tmp_path / n for n in ("evidence.pdf", "fee.txt", "loan.pdf"))
    for path in (evidence, fee, loan):
        path.write_text(f"the {path.stem}", encoding="utf-8")

    # 实名核验: the exchange vouches for the self-registered holder.
    attest = (
        "party",
        "attest",
        "alice data ltd",
        "--name",
        "Alice Data Ltd",
        "--registry-id",
        USCC,
    )
    assert desk.direct(*attest, key="exchange")["status"] == "verified"

    # 申请: prepared at the exchange's desk, signed by the holder and the exchange apart.
    draft = tmp_path / "apply.draft.json"
    apply = (
        "asset", "apply", "--holder", "Alice Data Ltd", "--registrar", "Shanghai Data Exchange",
        "--particulars", str(particulars), "--fingerprint-of", str(data),
        "--server", served.url,
    )  # fmt: skip
    shown = run_cli(*apply, "--prepare", str(draft))
    assert shown.returncode == 0, shown.stderr
    assert "Shanghai Data Exchange (exchange, verified" in shown.stderr
    assert f"name: {PARTICULARS['name']}" in shown.stderr  # the draft's summary, read typed
    assert "registrar: Shanghai Data Exchange" in shown.stderr
    assert "missing  holder: Alice Data Ltd" in shown.stdout
    assert "missing  registrar: Shanghai Data Exchange" in shown.stdout
    unsigned = refused("submit", str(draft), "--server", served.url).stderr
    assert "the submitter, Alice Data Ltd (" in unsigned and "has not signed" in unsigned
    signed = ok("cosign", str(draft), "--key", str(desk.keys["holder"]), "--json")
    assert [s["signed"] for s in json.loads(signed)["signatures"]] == [True, False]
    size = desk.size()
    missing = refused("submit", str(draft), "--server", served.url).stderr
    assert "signature.missing_registrar" in missing and "Shanghai Data Exchange" in missing
    assert desk.size() == size  # refused before anything was sent
    wrong = refused("cosign", str(draft), "--key", str(desk.keys["buyer"])).stderr
    assert "is not a key of any party that must sign" in wrong
    ok("cosign", str(draft), "--key", str(desk.keys["exchange"]))
    submitted = ok("submit", str(draft), "--server", served.url, "--json")
    applied = json.loads(submitted)
    assert applied["status"] == "applied" and applied["index"] == size
    asset = applied["id"]

    # Straight submission when others must sign is refused with the way to do it.
    needs = refused(*apply, "--key", str(desk.keys["holder"])).stderr
    assert "--prepare FILE" in needs
    assert "no asset has the id, id prefix or name" in refused(
        "asset", "publicize", "Weather 2024", "--server", served.url, "--key",
        str(desk.keys["exchange"]),
    ).stderr  # fmt: skip

    # 公示, an objection, the registrar's decision, and 登记 once publicity is over.
    assert desk.direct("asset", "publicize", "Traffic flows 2025", key="exchange")["status"] == (
        "publicized"
    )
    objection = desk.direct(
        "objection", "file", asset[:10], "--grounds", "we collected it",
        "--evidence-sha256-of", str(evidence), key="buyer",
    )  # fmt: skip
    assert objection["status"] == "objection pending"
    decided = desk.direct(
        "objection", "decide", objection["id"][:10], "--outcome", "dismissed", key="exchange"
    )
    assert decided["status"] == "publicized"
    clock.advance(timedelta(days=16))
    registered = desk.direct(
        "asset", "register", asset, "--certificate", "20260100310000001", key="exchange"
    )
    assert registered["status"] == "registered"

    # 变更 and a new version: holder and registrar.
    change = ("asset", "change", "20260100310000001", "--industry", "transport and logistics")
    assert desk.passed("change", *change, signers=("holder", "exchange"))["status"] == "registered"
    version = ("asset", "version", asset, "--fingerprint", "cd" * 32)
    assert desk.passed("version", *version, signers=("exchange", "holder"))["status"] == (
        "registered"
    )

    # 许可: grant by the holder, acceptance by the licensee, termination by either.
    end = format_time(clock() + timedelta(days=365))
    grant = desk.direct(
        "licence", "grant", asset, "--licensee", "Buyer Ltd", "--kind", "non_exclusive",
        "--scope", "analytics", "--end", end, "--fee-terms-sha256-of", str(fee), key="holder",
    )  # fmt: skip
    assert grant["status"] == "granted, awaiting acceptance"
    accepted = desk.direct("licence", "accept", grant["id"][:10], key="buyer")
    assert accepted["status"] == "in force"
    assert desk.direct("licence", "terminate", grant["id"], key="buyer")["status"] == "ended"

    # 转让 to the buyer: holder, new holder and registrar, three keys apart.
    transfer = ("asset", "transfer", asset, "--to", "Buyer Ltd")
    transferred = desk.passed("transfer", *transfer, signers=("buyer", "exchange", "holder"))
    assert transferred["status"] == "registered"

    # 质押 to the bank by the new holder, and its release by the bank.
    pledge = (
        "asset",
        "pledge",
        asset,
        "--pledgee",
        "Bank of Pudong",
        "--terms-sha256-of",
        str(loan),
    )
    assert desk.passed("pledge", *pledge, signers=("bank", "buyer"))["status"] == (
        "registered, pledged"
    )
    assert desk.direct("asset", "release", asset, key="bank")["status"] == "registered"

    # 续展 and 注销 by the holder (now the buyer) with the registrar.
    renewed = desk.passed("renew", "asset", "renew", asset, signers=("buyer", "exchange"))
    assert renewed["status"] == "registered"
    cancelled = desk.passed("cancel", "asset", "cancel", asset, signers=("exchange", "buyer"))
    assert cancelled["status"] == "cancelled"

    history = httpx.get(f"{served.url}/v1/assets/{asset}").json()
    assert history["answer"]["status"] == "cancelled"
    types = [e["statement"]["type"] for e in history["bundle"]["entries"]]
    for kind in (
        "asset.apply", "asset.publicize", "objection.file", "objection.decide", "asset.register",
        "asset.change", "asset.version", "licence.grant", "licence.accept", "licence.terminate",
        "asset.transfer", "asset.pledge", "asset.release", "asset.renew", "asset.cancel",
    ):  # fmt: skip
        assert kind in types, kind


def test_every_command_in_the_exchange_guide_is_real() -> None:
    guide = (Path(__file__).parents[2] / "docs" / "exchange.md").read_text(encoding="utf-8")
    blocks = [b.split("```", 1)[0] for b in guide.split("```sh\n")[1:]]
    commands = [
        line
        for block in blocks
        for line in block.replace("\\\n", " ").splitlines()
        if line.startswith("cunzheng ")
    ]
    assert len(commands) >= 20
    for command in commands:
        args = build_parser().parse_args(shlex.split(command)[1:])
        module, _, function = args.run.partition(":")
        assert callable(getattr(importlib.import_module(module), function)), command
