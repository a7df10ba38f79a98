"""`lotse serve` as a real subprocess on a free port: health, then a question over HTTP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from serving import free_port, wait_until_listening


@pytest.mark.slow
def test_serve_answers_over_http(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "LOTSE_DB": str(tmp_path / "lotse.db"), "LOTSE_PORT": str(port)}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    subprocess.run([sys.executable, "-m", "bot", "setup"], env=env, check=True, capture_output=True)
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_listening(proc)
        with urllib.request.urlopen(base + "/healthz", timeout=60) as resp:
            assert resp.status == 200
        request = urllib.request.Request(
            base + "/api/chat", data=json.dumps({"session": "t", "text": "Deutschkurs in Unna"}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as resp:
            data = json.loads(resp.read())
        assert any(p["distance_km"] >= 0 for m in data["messages"] for p in m["places"])
    finally:
        proc.terminate()
        proc.wait(timeout=60)
