"""The wheel on its own: built from a copy of the sources, installed into a fresh venv, run far from the checkout.

The source copy is deleted before anything runs, and the commands run in an empty folder with their own HOME, so
the installed `lotse` can only use what the wheel carries: intents, catalogs, data, templates, bench questions.
The dependencies come from the package index pip is configured with (the wheel itself is built offline from the
copy). The build and install steps are timed and printed (not asserted: time belongs in `lotse bench`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from serving import free_port, wait_until_listening

ROOT = Path(__file__).resolve().parent.parent
SKIP = shutil.ignore_patterns(".git", ".venv", "var", "build", "*.egg-info", "__pycache__", ".*_cache", "*.mo",
                              ".hypothesis", "tests")


def run(*args: str | Path, cwd: Path, env: dict[str, str], timeout: float = 300) -> str:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)
    assert done.returncode == 0, f"{args}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def msgstr(lang: str, msgid: str) -> str:
    """A translation as the checkout's catalog has it (read here, in the test, never by the installed lotse)."""
    with (ROOT / "locales" / lang / "LC_MESSAGES" / "lotse.po").open("rb") as fh:
        message = read_po(fh, locale=lang).get(msgid)
    assert message is not None and message.string
    return str(message.string)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, dict[str, str]]]:
    """(the venv's lotse, an empty working folder, the environment): the wheel built and installed once."""
    base = tmp_path_factory.mktemp("install")
    started = time.monotonic()
    source = base / "source"
    shutil.copytree(ROOT, source, ignore=SKIP)
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("LOTSE_", "TELEGRAM_", "PYTHON", "VIRTUAL_ENV", "XDG_DATA")) and k != "HOME"}
    # A HOME of its own (the default database goes there); pip keeps the user's configuration of the index.
    # The run's classifiers (tests/conftest.py): the wheel's intents are the checkout's, so it loads them.
    env = {**clean, "HOME": str(base / "home"), "LOTSE_CACHE": os.environ["LOTSE_CACHE"],
           "XDG_CONFIG_HOME": os.environ.get("XDG_CONFIG_HOME", str(Path.home() / ".config"))}
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", base / "dist", source, cwd=base, env=env)
    built = time.monotonic() - started
    shutil.rmtree(source)
    wheels = list((base / "dist").glob("lotse-*.whl"))
    assert len(wheels) == 1
    venv = base / "venv"
    # Without a pip of its own (ensurepip takes seconds): this process's pip installs into it (--python).
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=base, env=env)
    # --no-compile: byte-compiling the thousands of files of numpy, scipy and scikit-learn is processor time the
    # tests do not need (Python compiles what it imports anyway); what the wheel carries is the same.
    run(sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install", "--quiet",
        "--disable-pip-version-check", "--no-compile", wheels[0], cwd=base, env=env)
    took = time.monotonic() - started
    print(f"wheel built in {built:.1f} s, installed with its dependencies in {took - built:.1f} s")
    work = base / "work"
    work.mkdir()
    yield venv / "bin" / "lotse", work, env


@pytest.mark.slow
def test_nothing_of_the_checkout_is_reachable(installed: tuple[Path, Path, dict[str, str]]) -> None:
    lotse, work, env = installed
    python = lotse.parent / "python"
    code = ("import sys, bot, bot.resources as r; print(bot.__file__); print(r.data_root()); print(r.checkout());"
            "print('\\n'.join(sys.path))")
    out = run(python, "-c", code, cwd=work, env=env)
    lines = out.splitlines()
    assert lines[0].startswith(str(lotse.parent.parent)) and lines[1].endswith("bot/_data")
    assert lines[2] == "None"
    assert not [line for line in lines if line.startswith(str(ROOT))]


@pytest.mark.slow
def test_setup_ask_and_i18n_check_from_the_wheel(installed: tuple[Path, Path, dict[str, str]]) -> None:
    lotse, work, env = installed
    out = run(lotse, "setup", cwd=work, env=env)
    data = Path(env["HOME"]) / ".local" / "share" / "lotse" / "lotse.db"
    assert f"demo database created: {data}" in out and data.is_file()
    answer = json.loads(run(lotse, "ask", "Kita in Lünen", "--json", cwd=work, env=env))
    assert answer["intent"] == "kita" and answer["lang"] == "de" and answer["place"]["name"] == "Lünen"
    assert "all complete" in run(lotse, "i18n", "check", cwd=work, env=env)
    assert not list(work.iterdir())  # nothing written into the working folder


@pytest.mark.slow
def test_serve_from_the_wheel_answers_arabic_in_arabic(installed: tuple[Path, Path, dict[str, str]]) -> None:
    lotse, work, env = installed
    port = free_port()
    server_env = {**env, "LOTSE_DB": str(work.parent / "serve.db"), "LOTSE_PORT": str(port)}
    run(lotse, "setup", cwd=work, env=server_env)
    proc = subprocess.Popen([str(lotse), "serve"], cwd=work, env=server_env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        said = wait_until_listening(proc)
        with urllib.request.urlopen(base + "/healthz", timeout=60) as resp:
            health = json.loads(resp.read())
        assert health["status"] == "ok" and health["offers"] > 100 and health["intents"] > 20
        body = json.dumps({"session": "wheel", "text": "أبحث عن روضة أطفال في لونن"}).encode()
        request = urllib.request.Request(base + "/api/chat", data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as resp:
            reply = json.loads(resp.read())
        assert reply["lang"] == "ar" and reply["rtl"] is True
        labels = {b["label"] for m in reply["messages"] for b in m["buttons"]}
        assert {msgstr("ar", "More results"), msgstr("ar", "Topics")} <= labels
        assert any(p["name"].startswith("Kita") for m in reply["messages"] for p in m["places"])
        with urllib.request.urlopen(base + "/?lang=ar", timeout=60) as resp:
            page = re.sub("[\u2066-\u2069]", "", resp.read().decode())  # without the bidi isolates around "Lotse"
        assert 'dir="rtl"' in page and msgstr("ar", "Delete what Lotse remembers about you") in page
        with urllib.request.urlopen(base + "/static/chat.js", timeout=60) as resp:
            assert resp.status == 200
    finally:
        proc.terminate()
        out, _err = proc.communicate(timeout=60)
    assert f"database: {work.parent / 'serve.db'}" in said + out
