"""A throwaway PostgreSQL cluster for the tests and `lotse bench instances`: initdb into a temporary folder,
started on a free port of 127.0.0.1, stopped and deleted at the end. Debian's `postgresql` is installed when its
programs are missing (as root; `make test` does it before the tests start). PostgreSQL refuses to run as root:
then the cluster belongs to the `postgres` user the package creates."""

from __future__ import annotations

import glob
import os
import random
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


#: Where the kernel picks the local ports of outgoing connections (Linux's default when it does not say).
EPHEMERAL = Path("/proc/sys/net/ipv4/ip_local_port_range")
LOWEST = 10000  # below this, ports of well-known services


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing uses right now, below the ephemeral range: a server started on it a
    moment later (or again, after a restart) cannot find it taken by an outgoing connection of its own, such as a
    bot's first call to its API, which gets a port from that range."""
    try:
        low = int(EPHEMERAL.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768
    below = range(LOWEST, low)
    for port in random.sample(below, min(200, len(below))):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket() as sock:  # everything below the range is taken: any port will have to do
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Cluster:
    """A throwaway cluster: `start()`, `stop()` (as a restart would), `remove()`; `url` of its postgres database."""

    def __init__(self) -> None:
        self.programs = install()
        self.folder = Path(tempfile.mkdtemp(prefix="lotse-pg-"))
        self.data = self.folder / "data"
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.port = free_port()
        self.url = f"postgresql://{USER}@127.0.0.1:{self.port}/postgres"
        subprocess.run([*self.as_user, str(self.programs / "initdb"), "-D", str(self.data), "-U", USER, "-A",
                        "trust", "-E", "UTF8", "--locale=C", "--no-sync"], check=True, stdout=subprocess.DEVNULL)

    def _ctl(self, *args: str, check: bool = True) -> None:
        subprocess.run([*self.as_user, str(self.programs / "pg_ctl"), "-D", str(self.data), *args], check=check,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        self._ctl("-o", options, "-l", str(self.folder / "log"), "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        self._ctl("-m", mode, "-w", "stop")

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._ctl("-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.folder, ignore_errors=True)


@contextmanager
def running() -> Iterator[Cluster]:
    """A started cluster, removed at the end."""
    made = Cluster()
    try:
        made.start()
        yield made
    finally:
        made.remove()


@contextmanager
def cluster() -> Iterator[str]:
    """A running cluster; yields the URL of its `postgres` database (user `lotse`, no password, local only)."""
    with running() as made:
        yield made.url
