"""`lotse setup` and `lotse serve` as real subprocesses on a free port, as `make run` starts them: one set-up
link that works, health, then a question over HTTP."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from serving import free_port, wait_until_listening


@pytest.mark.slow
def test_setup_then_serve_shows_one_set_up_link_that_works_and_answers_over_http(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "LOTSE_DB": str(tmp_path / "lotse.db"), "LOTSE_PORT": str(port)}
    for name in ("TELEGRAM_BOT_TOKEN", "LOTSE_ADMIN_TOKEN"):
        env.pop(name, None)
    # `make run`: `lotse setup`, then `lotse serve`.
    setup = subprocess.run([sys.executable, "-m", "bot", "setup"], env=env, check=True, capture_output=True,
                           text=True)
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        said = setup.stdout + wait_until_listening(proc)
        links = re.findall(r"http://\S+/admin/setup\?token=\S+", said)
        assert len(links) == 1, said
        with urllib.request.urlopen(links[0], timeout=60) as resp:
            assert resp.status == 200 and 'name="password2"' in resp.read().decode()
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
