"""``cunzheng monitor`` against a running log: a growing log passes, a rolled-back one raises the alarm."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from nacl.signing import SigningKey

from cunzheng.cli.main import main
from cunzheng.cli.monitor import ALARM
from cunzheng.ledger.note import Signer
from tests.conftest import JSON, LiveServer, evidence, registration


def size_of(server: LiveServer) -> int:
    """Return the size of *server*'s latest checkpoint (the app logs entries of its own on start)."""
    return int(httpx.get(f"{server.url}/log/checkpoint").text.split("\n")[1])


def submit(server: LiveServer, key: SigningKey, numbers: range) -> None:
    """Log *key*'s registration (if *numbers* starts at 0) and evidence statements numbered *numbers*."""
    with httpx.Client(base_url=server.url, timeout=120) as client:
        if numbers.start == 0:
            response = client.post(
                "/v1/statements", content=registration(key).canonical, headers=JSON
            )
            assert response.status_code == 201, response.text
        statements = [evidence(key, n).to_json() for n in numbers]
        for start in range(0, len(statements), 500):
            response = client.post("/v1/statements/batch", json=statements[start : start + 500])
            assert response.status_code == 200, response.text


@contextmanager
def replacing_proxy(upstream: str, replace: Mapping[str, bytes]) -> Iterator[str]:
    """Proxy *upstream* on loopback, answering the paths in *replace* with the bytes given."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path in replace:
                status, body = 200, replace[self.path]
            else:
                answer = httpx.get(upstream + self.path, timeout=30)
                status, body = answer.status_code, answer.content
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    proxy = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{proxy.server_address[1]}"
    finally:
        proxy.shutdown()
        proxy.server_close()
        thread.join()


def test_monitor_follows_a_growing_log(
    live_server: LiveServer, holder: SigningKey, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "monitor-state.json"
    argv = ["monitor", live_server.url, "--log-key", live_server.vkey, "--state", str(state)]
    base = size_of(live_server) + 1  # the app's own entries and the holder's registration
    submit(live_server, holder, range(0, 20))

    assert main(argv) == 0
    first = capsys.readouterr().out
    assert f"checkpoint of {base + 20} entries" in first
    assert f"new entries  {base + 20} audited" in first and "20 evidence.timestamp" in first
    assert "index        the checkpoint's index root is the one the log's entries make" in first
    saved = json.loads(state.read_text())
    assert saved["checkpoint"].startswith(f"localhost/cunzheng\n{base + 20}\n")
    assert saved["index"]  # the parties' index leaves, kept for the next run

    submit(live_server, holder, range(20, 320))
    assert main(argv) == 0
    second = capsys.readouterr().out
    assert f"checkpoint of {base + 320} entries" in second
    assert f"consistent   extends the checkpoint of {base + 20} entries verified before" in second
    assert "new entries  300 audited" in second

    assert main(argv) == 0
    assert "new entries  0 audited" in capsys.readouterr().out


def test_monitor_raises_the_alarm_on_a_shrink(
    live_server: LiveServer, holder: SigningKey, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = size_of(live_server) + 1
    submit(live_server, holder, range(0, 5))
    older = httpx.get(f"{live_server.url}/log/checkpoint").content
    submit(live_server, holder, range(5, 10))
    state = tmp_path / "monitor-state.json"
    argv = ["--log-key", live_server.vkey, "--state", str(state)]
    assert main(["monitor", live_server.url, *argv]) == 0
    saved = state.read_bytes()
    capsys.readouterr()

    with replacing_proxy(live_server.url, {"/log/checkpoint": older}) as rolled_back:
        status = main(["monitor", rolled_back, *argv])

    assert status == ALARM
    err = capsys.readouterr().err
    assert (
        f"ALARM shrink: the log's checkpoint has {base + 5} entries, fewer than the {base + 10}"
        in err
    )
    assert f"--- evidence 1: signed checkpoint ---\nlocalhost/cunzheng\n{base + 10}\n" in err
    assert "--- evidence 2: signed checkpoint ---\n" + older.decode() in err
    assert state.read_bytes() == saved


def test_monitor_without_state_and_with_a_wrong_key(
    live_server: LiveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["monitor", live_server.url, "--log-key", live_server.vkey]) == 0
    assert f"checkpoint of {size_of(live_server)} entries" in capsys.readouterr().out
    other = Signer.generate("localhost/cunzheng").verifier().to_string()
    # A checkpoint with no signature line by the key given: a usage error, not an alarm.
    assert main(["monitor", live_server.url, "--log-key", other]) == 1
    assert "check --log-key" in capsys.readouterr().err
    assert main(["monitor", live_server.url, "--log-key", "localhost/cunzheng+zz+AQ=="]) == 1
    assert "the key ID must be 8 hex digits" in capsys.readouterr().err


def test_monitor_threshold_needs_witnesses(
    live_server: LiveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["monitor", live_server.url, "--log-key", live_server.vkey, "--threshold", "1"]) == 1
    )
    assert "--threshold needs at least one --witness" in capsys.readouterr().err
