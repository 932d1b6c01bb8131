"""Crash safety: a real server (uvicorn in a subprocess) is SIGKILLed while coders record
decisions, three times; every decision the API acknowledged survives and the chain verifies."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

import emcoder
import emcoder_api
from api_helpers import bearer, submit
from conftest import issue, running_app

KILLS = 3
CLIENT_THREADS = 4


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(database_url: str, data_dir: Path, key: str) -> dict[str, str]:
    paths = [str(Path(emcoder_api.__file__).parents[1]), str(Path(emcoder.__file__).parents[1])]
    return {**os.environ, "PYTHONPATH": os.pathsep.join([*paths, os.environ.get("PYTHONPATH", "")]),
            "EMCODER_DATABASE_URL": database_url, "EMCODER_DATA_DIR": str(data_dir), "EMCODER_ENCRYPTION_KEY": key}


def _start(env: dict[str, str], log: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    out = log.open("ab")
    proc = subprocess.Popen([sys.executable, "-m", "emcoder_api", "serve", "--port", str(port), "--no-preload"],
                            env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"server exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    pytest.fail("server did not become healthy in 30 s")


def _hammer(base: str, headers: dict[str, str], work: list[tuple[str, str]], acked: list[str],
            stop: threading.Event, seed: int) -> None:
    """Record decisions until the server dies; keep the id of every acknowledged one."""
    rng = random.Random(seed)
    with httpx.Client(base_url=base, headers=headers, timeout=5) as http:
        while not stop.is_set():
            enc_id, item_id = rng.choice(work)
            body = {"action": "accept"} if rng.random() < 0.5 else {"action": "reject", "reason": f"r{rng.random()}"}
            try:
                response = http.post(f"/encounters/{enc_id}/items/{item_id}/decision", json=body)
            except httpx.HTTPError:
                return  # killed: whatever was in flight was never acknowledged
            assert response.status_code == 200, response.text
            acked.append(response.json()["decisions"][-1]["id"])


@pytest.mark.slow
def test_crash_sigkill_keeps_acknowledged_decisions(database_url, tmp_path, captured_logs):
    with running_app(database_url, tmp_path) as app, TestClient(app) as client:
        key = app.state.settings.encryption_key.get_secret_value()
        physician = bearer(issue(app, "physician", "t1", "dr-a"))
        coders = [bearer(issue(app, "coder", "t1", f"coder-{i}")) for i in range(CLIENT_THREADS)]
        encounters = [submit(client, physician) for _ in range(2)]
    work = [(e["id"], i["id"]) for e in encounters for i in e["items"]]
    env = _env(database_url, tmp_path, key)
    log = captured_logs / f"crash-server-{tmp_path.name}.log"
    acked: list[str] = []
    for round_ in range(KILLS):
        proc, base = _start(env, log)
        stop = threading.Event()
        threads = [threading.Thread(target=_hammer, args=(base, coders[i], work, acked, stop, round_ * 10 + i))
                   for i in range(CLIENT_THREADS)]
        before = len(acked)
        for t in threads:
            t.start()
        time.sleep(random.uniform(0.6, 1.2))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        stop.set()
        for t in threads:
            t.join(10)
        assert len(acked) > before, "no decision was acknowledged before the kill"

    proc, base = _start(env, log)
    try:
        seen: set[str] = set()
        for enc in encounters:
            detail = httpx.get(f"{base}/encounters/{enc['id']}", headers=coders[0], timeout=10).json()
            seen |= {d["id"] for item in detail["items"] for d in item["decisions"]}
        missing = set(acked) - seen
        assert not missing, f"{len(missing)} acknowledged decisions lost"
    finally:
        proc.terminate()
        proc.wait(10)
    verify = subprocess.run([sys.executable, "-m", "emcoder_api", "audit", "verify"], env=env,
                            capture_output=True, text=True, timeout=60, check=False)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert verify.stdout.startswith("audit chain intact")
