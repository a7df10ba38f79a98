"""A throwaway PostgreSQL cluster for the tests: initdb into a temporary folder, started on a free port of
127.0.0.1, stopped and deleted at the end. Debian's `postgresql` is installed when its programs are missing (as
root; `make test` does it before the tests start). PostgreSQL refuses to run as root: then the cluster belongs to
the `postgres` user the package creates."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

USER = "lotse"


def bin_dir() -> Path | None:
    """Where initdb and pg_ctl are: on the PATH, or in Debian's versioned folder (newest first)."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    folders = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name), reverse=True)
    return next((Path(f) for f in folders if (Path(f) / "initdb").exists()), None)


def install() -> Path:
    """Debian's postgresql, installed when missing; its programs' folder."""
    found = bin_dir()
    if found is not None:
        return found
    if os.geteuid() != 0:
        raise RuntimeError("PostgreSQL's initdb and pg_ctl are missing: `sudo apt-get install postgresql`")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "postgresql"], check=True, env=env, stdout=subprocess.DEVNULL)
    found = bin_dir()
    if found is None:
        raise RuntimeError("postgresql was installed, but initdb is not in /usr/lib/postgresql/*/bin")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def cluster() -> Iterator[str]:
    """A running cluster; yields the URL of its `postgres` database (user `lotse`, no password, local only)."""
    programs = install()
    folder = Path(tempfile.mkdtemp(prefix="lotse-pg-"))
    data = folder / "data"
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    try:
        subprocess.run([*as_user, str(programs / "initdb"), "-D", str(data), "-U", USER, "-A", "trust", "-E", "UTF8",
                        "--locale=C", "--no-sync"], check=True, stdout=subprocess.DEVNULL)
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        subprocess.run([*as_user, str(programs / "pg_ctl"), "-D", str(data), "-o", options, "-l",
                        str(folder / "log"), "-w", "-t", "60", "start"], check=True, stdout=subprocess.DEVNULL)
        yield f"postgresql://{USER}@127.0.0.1:{port}/postgres"
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run([*as_user, str(programs / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                           check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(folder, ignore_errors=True)
