"""The browser verifier's page in Chromium: the same verdicts as `cunzheng verify`, offline, and its look-ups.

Playwright drives Debian's Chromium (/usr/bin/chromium, installed by .ci/run;
no browser is downloaded). One browser serves every test of this module.

- The differential: every case of the corpus (tests/web/corpus.py) goes
  through the saved single-file page's real controls (file inputs, the key
  and witness fields, the Verify button), and the verdict and the checks the
  page shows (their outcomes and reason codes, read from the rendered table)
  must be those `cunzheng verify --json` printed, and so must the report the
  page holds (facts, findings, log; not a parser's wording in a technical
  detail) and its narrative.
- The saved page verifies a bundle with the network off and every request
  aborted, and makes none.
- Screenshots of a verified and a refused bundle are kept in
  tests/web/artefacts/ (git-ignored) for a person to look at.
- The look-up view, served by a live log, finds entries by a file hashed in
  the page and by digest, an asset by its id, its certificate number and
  its holder, shows the asset's timeline, builds a bundle and verifies it on
  the page.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from nacl.signing import SigningKey

from cunzheng.api.pages import build_page
from cunzheng.ledger.keyfiles import OPERATOR_KEY_FILE, read_key, submitter_key
from cunzheng.ledger.statements import Statement, sign_statement
from tests.api.test_registry_api import asset_story
from tests.conftest import (
    JSON,
    SIGNED_AT,
    FixedClock,
    LiveServer,
    registration,
    serve_in_thread,
    server_settings,
    stop_server,
)
from tests.web.corpus import Case, build_corpus

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is missing")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    pytest.skip("Debian's chromium is missing (.ci/run installs it)", allow_module_level=True)

LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTEFACTS = Path(__file__).parent / "artefacts"
DONE = "#result[data-state='done'], #result[data-state='error']"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for the module."""
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Case]]:
    """The corpus, built once, and the saved single-file page beside it."""
    root = tmp_path_factory.mktemp("corpus")
    cases = build_corpus(root)
    (root / "verify.html").write_text(build_page().html, encoding="utf-8")
    return root, cases


@pytest.fixture(scope="module")
def page(browser: Any, corpus: tuple[Path, list[Case]]) -> Iterator[Any]:
    """A page of the saved file, with every error of its script collected in page.errors."""
    context = browser.new_context()
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.errors = errors
    open_saved(tab, corpus[0])
    yield tab
    context.close()


def open_saved(tab: Any, root: Path) -> None:
    """Load the saved page afresh and wait until it has started."""
    tab.goto((root / "verify.html").as_uri())
    tab.wait_for_selector("body[data-ready='true']", state="attached")


def run_case(tab: Any, root: Path, case: Case) -> None:
    """Give *case* to the page through its controls, press Verify and wait for the outcome."""
    home = root / case.name
    opts = case.options
    tab.click("#clear-button")
    tab.set_input_files("#evidence-input", str(root / case.paths[case.kind]))
    if case.kind == "receipt":
        tab.set_input_files("#files-input", str(root / case.paths["file"]))
    elif opts["files"]:
        tab.set_input_files("#files-input", [str(home / n) for n in opts["files"]])
    if opts["disclosures"]:
        tab.set_input_files("#disclosures-input", [str(home / n) for n in opts["disclosures"]])
    if opts["log_key"]:
        tab.fill("#log-key", opts["log_key"])
    if opts["tsa_roots"]:
        tab.set_input_files("#tsa-roots", [str(home / n) for n in opts["tsa_roots"]])
    if opts["witnesses"]:
        tab.fill("#witness-keys", "\n".join(opts["witnesses"]["keys"]))
        tab.fill("#witness-threshold", str(opts["witnesses"]["threshold"]))
    tab.click("#verify-button")
    tab.wait_for_selector(DONE, state="attached")


def shown(tab: Any) -> dict[str, Any]:
    """Return the verdict and the checks as the page shows them, and the report it holds."""
    return tab.evaluate(
        """() => {
          const box = document.getElementById("result");
          const rows = Array.from(document.querySelectorAll("table.checks tbody tr"));
          const json = document.getElementById("report-json").textContent;
          const narrative = document.getElementById("narrative-json").textContent;
          return {
            state: box.dataset.state,
            error: box.dataset.error || null,
            ok: box.dataset.ok === undefined ? null : box.dataset.ok === "true",
            reason: box.dataset.reason || null,
            checks: rows.map((r) => [r.dataset.check, r.dataset.subject, r.dataset.outcome,
                                     r.dataset.reason, r.dataset.required === "true"]),
            report: json ? JSON.parse(json) : null,
            narrative: narrative ? JSON.parse(narrative) : null,
          };
        }"""
    )


# The members of report_json; the CLI's JSON also holds the narrative, compared on its own.
REPORT_KEYS = ("format", "ok", "log", "findings", "checks")


def without_prose(report: dict[str, Any]) -> dict[str, Any]:
    """Return a bundle's report_json less each check's text (the page writes it from the same
    table) and technical detail (a parser's own words, which differ between the Python and
    JavaScript libraries): the verdict, every check's outcome, reason code and facts, the
    findings and the log stay."""
    checks = [{k: v for k, v in c.items() if k not in ("text", "detail")} for c in report["checks"]]
    return {**{k: report[k] for k in REPORT_KEYS}, "checks": checks}


def expected(case: Case) -> dict[str, Any]:
    """Return what the page must show for *case*: what `cunzheng verify --json` printed."""
    out = case.expected
    if case.kind == "receipt":
        checks: list[list[Any]] = []
        report = out
    else:
        checks = [
            [c[k] for k in ("check", "subject", "outcome", "reason", "required")]
            for c in out["checks"]
        ]
        report = without_prose(out)
    reason = out.get("reason") if not out["ok"] else None
    return {
        "state": "done",
        "error": None,
        "ok": out["ok"],
        "reason": reason,
        "checks": checks,
        "report": report,
        "narrative": out.get("narrative"),
    }


def difference(seen: Any, want: Any, at: str = "") -> str:
    """Return where *seen* (the page) first differs from *want* (the CLI), and the two values."""
    if isinstance(seen, dict) and isinstance(want, dict) and seen.keys() == want.keys():
        return next(difference(seen[k], want[k], f"{at}.{k}") for k in want if seen[k] != want[k])
    if isinstance(seen, list) and isinstance(want, list) and len(seen) == len(want):
        pairs = enumerate(zip(seen, want, strict=True))
        return next(difference(a, b, f"{at}[{i}]") for i, (a, b) in pairs if a != b)
    page, cli = (json.dumps(v, ensure_ascii=False)[:300] for v in (seen, want))
    return f"{at or '.'}: page {page} / cli {cli}"


def test_the_page_agrees_with_the_cli_on_every_case(
    page: Any, corpus: tuple[Path, list[Case]]
) -> None:
    root, cases = corpus
    assert len(cases) >= 30
    differences = {}
    # A CLI that writes a narrative for any bundle writes one for every bundle that parses.
    narrates = any("narrative" in c.expected for c in cases)
    for case in cases:
        run_case(page, root, case)
        seen, want = shown(page), expected(case)
        if case.kind == "bundle" and seen["report"] is not None:
            seen["report"] = without_prose(seen["report"])
        if not narrates:
            del seen["narrative"], want["narrative"]
        assert (case.exit == 0) == case.expected["ok"]
        if seen != want:
            differences[case.name] = difference(seen, want)
    assert not page.errors, page.errors
    assert not differences, "\n".join(f"{name}: {d}" for name, d in differences.items())


def test_dropped_files_are_sorted_by_their_format_and_verified(
    page: Any, corpus: tuple[Path, list[Case]]
) -> None:
    root, cases = corpus
    case = next(c for c in cases if c.name == "dataset_disclosure_presented")
    home = root / case.name
    dropped = [
        (n, (home / n).read_text("utf-8")) for n in [*case.options["disclosures"], "bundle.json"]
    ]
    page.click("#clear-button")
    page.evaluate(
        """(files) => {
          const transfer = new DataTransfer();
          for (const [name, text] of files) transfer.items.add(new File([text], name));
          const drop = document.getElementById("drop");
          drop.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true }));
        }""",
        dropped,
    )
    # A selector, not a JavaScript predicate: the page's CSP forbids evaluating strings,
    # which polling a predicate needs when the drop is not handled at the first check.
    page.wait_for_selector("#chosen li:nth-child(2)", state="attached")
    roles = page.eval_on_selector_all("#chosen li", "items => items.map(i => i.dataset.role)")
    assert roles == ["evidence", "disclosure"]
    page.fill("#log-key", case.options["log_key"])
    page.click("#verify-button")
    page.wait_for_selector(DONE, state="attached")
    seen, want = shown(page), expected(case)
    assert seen["ok"] is True
    assert seen["checks"] == want["checks"]


def test_a_receipt_given_what_only_a_bundle_takes_is_told_so(
    page: Any, corpus: tuple[Path, list[Case]]
) -> None:
    root, cases = corpus
    case = next(c for c in cases if c.name == "receipt_genuine")
    for key, witness, says in (
        ("", "", "needs the log's verifier key"),
        (case.options["log_key"], "witness.example/w+01020304+AQID", "apply to a bundle"),
    ):
        page.click("#clear-button")
        page.set_input_files("#evidence-input", str(root / case.paths["receipt"]))
        page.set_input_files("#files-input", str(root / case.paths["file"]))
        page.fill("#log-key", key)
        page.fill("#witness-keys", witness)
        page.click("#verify-button")
        page.wait_for_selector(DONE, state="attached")
        outcome = shown(page)
        assert outcome["state"] == "error" and says in outcome["error"], outcome


def test_the_language_switch_shows_one_language_or_both(page: Any) -> None:
    visible = "lang => Array.from(document.querySelectorAll(`h1 [lang=${lang}]`)).some(e => e.offsetParent)"
    for choice, zh, en in (("en", False, True), ("zh", True, False), ("both", True, True)):
        page.click(f"#langs button[data-lang='{choice}']")
        assert (page.evaluate(visible, "zh"), page.evaluate(visible, "en")) == (zh, en)


@pytest.mark.parametrize("size", [0, 1, 63, 64, 65, 8 * 1024 * 1024 + 17])
def test_a_file_is_hashed_alike_whole_and_streamed(page: Any, tmp_path: Path, size: int) -> None:
    data = random.Random(size).randbytes(size)
    path = tmp_path / "file.bin"
    path.write_bytes(data)
    page.set_input_files("#files-input", str(path))
    digests = page.evaluate(
        """async () => {
          const file = document.getElementById("files-input").files[0];
          const whole = CZ.bytes.hex(await CZ.ui.hashFile(file));
          const limit = CZ.ui.WHOLE_FILE_BYTES;
          CZ.ui.WHOLE_FILE_BYTES = -1;  // the path of a file too large to read whole
          try {
            return [whole, CZ.bytes.hex(await CZ.ui.hashFile(file))];
          } finally {
            CZ.ui.WHOLE_FILE_BYTES = limit;
          }
        }"""
    )
    assert digests == [hashlib.sha256(data).hexdigest()] * 2
    page.set_input_files("#files-input", [])


def test_the_saved_page_verifies_offline_and_asks_for_nothing(
    browser: Any, corpus: tuple[Path, list[Case]]
) -> None:
    root, cases = corpus
    case = next(c for c in cases if c.name == "evidence_genuine")
    context = browser.new_context(offline=True)
    asked: list[str] = []
    # Every request but for the page's own file (which a route would abort too) is refused.
    context.route(lambda url: not url.startswith("file:"), lambda route: route.abort())
    context.on("request", lambda r: asked.append(r.url))
    try:
        tab = context.new_page()
        open_saved(tab, root)
        run_case(tab, root, case)
        assert shown(tab)["ok"] is True
        assert [u for u in asked if u != (root / "verify.html").as_uri()] == []
    finally:
        context.close()


def test_screenshots_of_a_verified_and_a_refused_bundle(
    page: Any, corpus: tuple[Path, list[Case]]
) -> None:
    root, cases = corpus
    for name, ok in (("timed_genuine", True), ("statement_altered", False)):
        run_case(page, root, next(c for c in cases if c.name == name))
        assert shown(page)["ok"] is ok
        keep_screenshot(page, name)


def keep_screenshot(tab: Any, name: str) -> None:
    """Write the whole page to tests/web/artefacts/<name>.png, kept for a person to look at."""
    ARTEFACTS.mkdir(exist_ok=True)
    (ARTEFACTS / ".gitignore").write_text("*\n")
    shot = ARTEFACTS / f"{name}.png"
    tab.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    print(f"screenshot: {shot}")


def _log_file(server: LiveServer, holder: SigningKey, content: bytes) -> int:
    """Register *holder* and log the SHA-256 of *content* by it; return the entry's index."""
    body = {"sha256": hashlib.sha256(content).hexdigest()}
    stamp = sign_statement(type="evidence.timestamp", body=body, key=holder, signed_at=SIGNED_AT)
    with httpx.Client(base_url=server.url, headers=JSON, timeout=30) as http:
        assert (
            http.post("/v1/statements", content=registration(holder).canonical).status_code == 201
        )
        r = http.post("/v1/statements", content=stamp.canonical)
        assert r.status_code == 201, r.text
        index: int = r.json()["index"]
    return index


def _verify_first_hit(tab: Any) -> dict[str, Any]:
    tab.click("#use-served-key")
    tab.click("#lookup-results .hit button.verify-hit")
    tab.wait_for_selector(DONE, state="attached")
    return shown(tab)


def test_look_up_by_file_and_digest_then_verify_in_the_page(
    browser: Any, live_server: LiveServer, holder: SigningKey, tmp_path: Path
) -> None:
    content = b"a contract, signed on paper and scanned\n" * 1000
    index = _log_file(live_server, holder, content)
    (tmp_path / "contract.pdf").write_bytes(content)
    context = browser.new_context()
    sent: list[str] = []
    context.on("request", lambda r: sent.append(r.url + " " + (r.post_data or "")))
    try:
        tab = context.new_page()
        tab.goto(f"{live_server.url}/lookup")
        tab.wait_for_selector("body[data-ready='true']", state="attached")
        assert not tab.is_hidden("#lookup-view")
        tab.select_option("#lookup-kind", "file")
        tab.set_input_files("#lookup-file", str(tmp_path / "contract.pdf"))
        tab.click("#lookup-form button[type='submit']")
        tab.wait_for_selector("#lookup-results[data-state='done']", state="attached")
        assert tab.get_attribute("#lookup-results .hit", "data-index") == str(index)
        # The file itself never left the page: only its digest did.
        assert not any("a contract, signed" in s for s in sent)
        tab.check("#online-check")  # and against the log as it stands now
        outcome = _verify_first_hit(tab)
        assert outcome["ok"] is True, outcome
        assert ["current_checkpoint", "current", "passed", "current.consistent", True] in outcome[
            "checks"
        ]
        keep_screenshot(tab, "lookup_by_file")
        assert ("inclusion", f"entry:{index}", "passed") in {
            tuple(c[:3]) for c in outcome["checks"]
        }

        tab.select_option("#lookup-kind", "digest")
        tab.fill("#lookup-text", hashlib.sha256(content).hexdigest().upper())
        tab.click("#lookup-form button[type='submit']")
        tab.wait_for_selector("#lookup-results[data-state='done']", state="attached")
        assert tab.get_attribute("#lookup-results", "data-count") == "1"
    finally:
        context.close()


def test_look_ups_that_find_nothing_or_are_malformed_say_so(
    browser: Any, live_server: LiveServer
) -> None:
    context = browser.new_context()
    try:
        tab = context.new_page()
        tab.goto(f"{live_server.url}/lookup")
        tab.wait_for_selector("body[data-ready='true']", state="attached")
        tab.select_option("#lookup-kind", "certificate")
        tab.fill("#lookup-text", "NO-SUCH-CERTIFICATE")
        tab.click("#lookup-form button[type='submit']")
        tab.wait_for_selector("#lookup-results[data-state='done']", state="attached")
        assert tab.get_attribute("#lookup-results", "data-count") == "0"
        tab.select_option("#lookup-kind", "asset")
        tab.fill("#lookup-text", "ab" * 32)
        tab.click("#lookup-form button[type='submit']")
        tab.wait_for_selector("#lookup-results[data-state='error']", state="attached")
        assert "not_found" in tab.inner_text("#lookup-results")
        tab.fill("#lookup-text", "not hex")
        tab.click("#lookup-form button[type='submit']")
        tab.wait_for_selector("#lookup-results[data-state='error']", state="attached")
        assert "64 hex digits" in tab.inner_text("#lookup-results")
    finally:
        context.close()


def _look_up(tab: Any, kind: str, text: str) -> None:
    tab.select_option("#lookup-kind", kind)
    tab.fill("#lookup-text", text)
    tab.click("#lookup-form button[type='submit']")
    tab.wait_for_selector("#lookup-results[data-state='done']", state="attached")


def test_an_asset_by_id_certificate_and_party_with_its_timeline_verified_in_the_page(
    browser: Any, database_url: str, tmp_path: Path, holder: SigningKey, clock: FixedClock
) -> None:
    server = serve_in_thread(server_settings(tmp_path / "data", database_url), now=clock)
    try:
        with httpx.Client(base_url=server.url, headers=JSON, timeout=30) as http:
            assert http.post("/v1/statements", content=registration(holder).canonical).is_success

            def post(statement: Statement, status: int) -> dict[str, Any]:
                r = http.post("/v1/statements", content=statement.canonical)
                assert r.status_code == status, r.text
                answer: dict[str, Any] = r.json()
                return answer

            operator = submitter_key(read_key(tmp_path / "data" / OPERATOR_KEY_FILE))
            story = asset_story(post, operator, holder, clock)
        context = browser.new_context()
        tab = context.new_page()
        tab.goto(f"{server.url}/lookup")
        tab.wait_for_selector("body[data-ready='true']", state="attached")
        _look_up(tab, "asset", story.asset.hex())
        events = tab.eval_on_selector_all(
            ".timeline li", "items => items.map(i => i.dataset.index)"
        )
        assert len(events) >= 5  # applied, publicized, registered, licensed, accepted, transferred
        outcome = _verify_first_hit(tab)
        assert outcome["ok"] is True, outcome
        assert ["claim", "claim", "passed", "claim.confirmed", True] in outcome["checks"]
        _look_up(tab, "certificate", "20260100310000001")
        assert tab.get_attribute("#lookup-results .facts", "data-asset") == story.asset.hex()
        _look_up(tab, "party", story.heir.hex)
        held = tab.inner_text("#lookup-results [data-group='holds']")
        assert story.asset.hex()[:16] in held
        context.close()
    finally:
        stop_server(server)


def test_a_certificates_link_opens_the_page_on_its_entries_and_verifies_them(
    browser: Any, live_server: LiveServer, holder: SigningKey
) -> None:
    index = _log_file(live_server, holder, b"the scanned licence\n")
    pdf = httpx.get(f"{live_server.url}/v1/bundles/{index}/certificate.pdf", timeout=60)
    assert pdf.status_code == 200
    link = f"{live_server.url}/verify?entries={index}"  # what the certificate's QR code holds
    context = browser.new_context()
    try:
        tab = context.new_page()
        tab.goto(link)
        tab.wait_for_selector(DONE, state="attached")
        outcome = shown(tab)
        # No key given yet: the key the bundle names is used, and the report says so.
        assert outcome["report"]["log"]["key_source"] == "bundle", outcome
        assert ("inclusion", f"entry:{index}", "passed") in {
            tuple(c[:3]) for c in outcome["checks"]
        }
        tab.goto(f"{live_server.url}/verify?entries=1,x")
        tab.wait_for_selector("#result[data-state='error']", state="attached")
        assert "entries= must list entry indexes" in tab.inner_text("#result")
    finally:
        context.close()
