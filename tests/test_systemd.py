"""The systemd unit in README.md: checked by `systemd-analyze verify` where systemd's tools are installed."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
UNIT_PATH = "/etc/systemd/system/lotse.service"


def readme_unit() -> str:
    """The ```ini block of README.md that starts with the unit's path."""
    blocks = re.findall(r"```ini\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)
    units = [b for b in blocks if b.startswith(f"# {UNIT_PATH}\n")]
    assert len(units) == 1, "README.md must show the unit once, in an ```ini block starting with its path"
    return units[0]


def settings(unit: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in unit.splitlines():
        key, sep, value = line.partition("=")
        if sep and not line.startswith("#"):
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def test_the_unit_runs_as_a_user_with_a_data_directory_and_restarts() -> None:
    unit = settings(readme_unit())
    assert unit["User"] != ["root"] and unit["User"] and unit["Group"] == unit["User"]
    assert unit["StateDirectory"] == ["lotse"]
    assert "LOTSE_DB=/var/lib/lotse/lotse.db" in unit["Environment"]
    assert unit["EnvironmentFile"] == ["/etc/lotse/lotse.env"]
    assert unit["Restart"] == ["on-failure"]
    assert unit["ExecStart"] == ["/opt/lotse/bin/lotse serve"]
    assert unit["ExecStartPre"] == ["/opt/lotse/bin/lotse setup"]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_analyze_verifies_the_unit(tmp_path: Path) -> None:
    # verify checks that the commands exist: point them at a stand-in for /opt/lotse/bin/lotse.
    lotse = tmp_path / "bin" / "lotse"
    lotse.parent.mkdir()
    lotse.write_text("#!/bin/sh\nexit 0\n")
    lotse.chmod(0o755)
    path = tmp_path / "lotse.service"
    path.write_text(readme_unit().replace("/opt/lotse/bin/lotse", str(lotse)), encoding="utf-8")
    done = subprocess.run(["systemd-analyze", "verify", str(path)], capture_output=True, text=True, timeout=60,
                          check=False)
    complaints = [line for line in (done.stdout + done.stderr).splitlines() if "lotse.service" in line]
    assert done.returncode == 0 and not complaints, done.stdout + done.stderr


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_analyze_would_notice_a_mistake(tmp_path: Path) -> None:
    path = tmp_path / "lotse.service"
    path.write_text(readme_unit().replace("Restart=on-failure", "Restart=sometimes"), encoding="utf-8")
    done = subprocess.run(["systemd-analyze", "verify", str(path)], capture_output=True, text=True, timeout=60,
                          check=False)
    assert "restart specifier" in done.stderr


TEMPLATE_PATH = "/etc/systemd/system/lotse@.service"


def readme_template() -> str:
    """The template unit of README.md's two-instance deployment (one instance per port)."""
    blocks = re.findall(r"```ini\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)
    [unit] = [b for b in blocks if b.startswith(f"# {TEMPLATE_PATH}\n")]
    return unit


def test_the_template_unit_gives_each_instance_its_port_and_the_shared_settings() -> None:
    unit = settings(readme_template())
    assert "LOTSE_PORT=%i" in unit["Environment"] and unit["EnvironmentFile"] == ["/etc/lotse/lotse.env"]
    assert unit["ExecStart"] == ["/opt/lotse/bin/lotse serve"] and int(unit["LimitNOFILE"][0]) >= 4096


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_analyze_verifies_an_instance_of_the_template(tmp_path: Path) -> None:
    lotse = tmp_path / "bin" / "lotse"
    lotse.parent.mkdir()
    lotse.write_text("#!/bin/sh\nexit 0\n")
    lotse.chmod(0o755)
    path = tmp_path / "lotse@8081.service"
    path.write_text(readme_template().replace("/opt/lotse/bin/lotse", str(lotse)), encoding="utf-8")
    done = subprocess.run(["systemd-analyze", "verify", str(path)], capture_output=True, text=True, timeout=60,
                          check=False)
    complaints = [line for line in (done.stdout + done.stderr).splitlines() if "lotse@" in line]
    assert done.returncode == 0 and not complaints, done.stdout + done.stderr
