"""`make test` makes sure the system packages of its tests are there before anything slow runs.

The Makefile's check runs for real, with the commands it relies on (`id`, `sudo`, `apt-get`)
replaced by small scripts ahead of them on PATH, so the machine's own packages are never touched.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.browser.conftest import CHROMIUM

ROOT = Path(__file__).resolve().parent.parent
MAKE = shutil.which("make") or "make"


@dataclass
class FakeMachine:
    """A package list whose one package is missing, and stand-ins for the system's commands."""

    bin: Path
    package_list: Path
    probe: Path
    apt_log: Path

    def command(self, name: str, body: str) -> None:
        path = self.bin / name
        path.write_text(f"#!/bin/sh\n{body}\n")
        path.chmod(path.stat().st_mode | stat.S_IXUSR)

    def as_root(self) -> None:
        self.command("id", "echo 0")

    def as_user(self, *, sudo_allowed: bool) -> None:
        self.command("id", "echo 1000")
        if sudo_allowed:
            self.command("sudo", '[ "$1" = -n ] && shift\nexec "$@"')
        else:
            self.command("sudo", "echo 'sudo: a password is required' >&2\nexit 1")

    def make(self, target: str = "system-packages") -> subprocess.CompletedProcess[str]:
        env = dict(os.environ, PATH=f"{self.bin}{os.pathsep}{os.environ['PATH']}")
        # A broken check must not run the real suite from inside the suite: the steps after
        # it point at a Python that cannot build an environment.
        return subprocess.run(
            [
                MAKE,
                "-s",
                target,
                f"SYSTEM_PACKAGES={self.package_list}",
                "PYTHON=false",
                f"VENV={self.bin.parent / 'no-venv'}",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    def apt_calls(self) -> list[str]:
        if not self.apt_log.exists():
            return []
        return self.apt_log.read_text().splitlines()


def fake_machine(tmp_path: Path) -> FakeMachine:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    probe = tmp_path / "usr-bin" / "chromium"
    package_list = tmp_path / "system-packages.txt"
    package_list.write_text(f"# the browser\nchromium {probe}\n")
    machine = FakeMachine(bin_dir, package_list, probe, tmp_path / "apt.log")
    # apt-get records its arguments and, on install, puts the browser where the check looks.
    machine.command(
        "apt-get",
        f'echo "$*" >> {machine.apt_log}\n'
        f'case "$*" in *install*) mkdir -p {probe.parent} && touch {probe} ;; esac',
    )
    return machine


def test_nothing_is_installed_when_the_packages_are_there(tmp_path: Path) -> None:
    machine = fake_machine(tmp_path)
    machine.as_user(sudo_allowed=False)
    machine.probe.parent.mkdir()
    machine.probe.touch()

    result = machine.make()

    assert result.returncode == 0, result.stderr
    assert machine.apt_calls() == []


def test_root_installs_a_missing_package_with_apt_get(tmp_path: Path) -> None:
    machine = fake_machine(tmp_path)
    machine.as_root()

    result = machine.make()

    assert result.returncode == 0, result.stderr
    assert machine.apt_calls() == ["update -qq", "install -y -qq chromium"]
    assert machine.probe.exists()


def test_a_user_with_sudo_without_a_prompt_installs_a_missing_package(tmp_path: Path) -> None:
    machine = fake_machine(tmp_path)
    machine.as_user(sudo_allowed=True)

    result = machine.make()

    assert result.returncode == 0, result.stderr
    assert machine.apt_calls() == ["update -qq", "install -y -qq chromium"]


def test_without_the_right_to_install_make_test_stops_first_with_one_line(
    tmp_path: Path,
) -> None:
    machine = fake_machine(tmp_path)
    machine.as_user(sudo_allowed=False)

    result = machine.make("test")

    assert result.returncode != 0
    assert machine.apt_calls() == []
    own_lines = [line for line in result.stderr.splitlines() if not line.startswith("make")]
    assert own_lines == [
        "The tests need the system package(s) chromium: "
        "run 'sudo apt-get install -y chromium', then make test again."
    ]
    # Nothing after the check ran: no environment was built, no linter started.
    assert not (tmp_path / "no-venv").exists()
    assert "ruff" not in result.stdout + result.stderr


def test_the_package_list_names_the_browser_the_browser_tests_start() -> None:
    listed = (ROOT / "system-packages.txt").read_text().split()
    assert CHROMIUM in listed
