"""A JupyterLab server in a scratch course, and a headless Chromium driven by Playwright.

Everything the browser journeys touch lives under one temporary directory: the course
(``scratch_course``: this repository's config and source, release generated), the nbgrader
exchange, the student's folder, HOME and Jupyter's config, data and runtime directories.
The server gets JUPYTER_CONFIG_PATH=lab/ like ``make lab`` does, so these tests exercise
the same local-exchange configuration a laptop user gets. Nothing from the machine's
~/.jupyter leaks in, and every process started here is stopped at the end.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest
from browser_support import Screenshots, chromium, new_page

from pglab.course import nbgrader_env, scratch_course

REPOSITORY = Path(__file__).resolve().parents[2]
ASSIGNMENT = "reinforce"
ARTIFACTS = REPOSITORY / "artifacts" / "browser"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Lab:
    """A running JupyterLab: where it is, and the course it serves."""

    url: str
    token: str
    course: Path
    exchange: Path
    student_dir: Path
    env: dict[str, str]
    log: Path

    def nbgrader(self, *args: str) -> str:
        """An instructor's nbgrader command, with the same config the server has."""
        result = subprocess.run(
            [sys.executable, "-m", "nbgrader", *args],
            cwd=self.course,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, f"nbgrader {' '.join(args)}:\n{result.stdout}{result.stderr}"
        return result.stdout + result.stderr

    def api(self, path: str, method: str = "GET") -> bytes:
        request = urllib.request.Request(
            f"{self.url}{path}", method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.read()


def lab_environment(root: Path, course: Path, exchange: Path, student_dir: Path) -> dict:
    home = root / "home"
    env = nbgrader_env()
    for name in list(env):
        if name.startswith(("JUPYTER", "JPY_", "PGLAB_")):
            del env[name]
    env.update(
        HOME=str(home),
        JUPYTER_CONFIG_DIR=str(home / ".jupyter"),
        JUPYTER_DATA_DIR=str(home / ".local" / "share" / "jupyter"),
        JUPYTER_RUNTIME_DIR=str(home / ".local" / "share" / "jupyter" / "runtime"),
        JUPYTER_CONFIG_PATH=str(REPOSITORY / "lab"),
        IPYTHONDIR=str(home / ".ipython"),
        MPLCONFIGDIR=str(home / ".config" / "matplotlib"),
        PGLAB_COURSE_ROOT=str(course),
        PGLAB_EXCHANGE=str(exchange),
        PGLAB_STUDENT_DIR=str(student_dir),
    )
    # Don't pick up a JupyterLab workspace or settings from the machine either.
    env["JUPYTERLAB_SETTINGS_DIR"] = str(home / ".jupyter" / "lab" / "user-settings")
    env["JUPYTERLAB_WORKSPACES_DIR"] = str(home / ".jupyter" / "lab" / "workspaces")
    return env


def stop(process: subprocess.Popen, lab: Lab | None) -> None:
    """Shut the server down (it stops its kernels), then end anything left of its tree."""
    try:
        tree = psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        tree = []
    if lab is not None and process.poll() is None:
        try:
            lab.api("/api/shutdown", method="POST")
            process.wait(timeout=30)
        except (urllib.error.URLError, OSError, subprocess.TimeoutExpired):
            pass
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)
    try:  # kernels run in sessions of their own: find them by ancestry, not by group
        tree += psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        pass
    for child in tree:
        try:
            child.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(tree, timeout=15)


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Lab:
    """A JupyterLab 4 server on 127.0.0.1 serving a scratch course with a local exchange."""
    root = tmp_path_factory.mktemp("lab")
    course = scratch_course(REPOSITORY, root / "course", [ASSIGNMENT])
    exchange = root / "exchange"
    exchange.mkdir()
    exchange.chmod(0o777)
    student_dir = course / "student"
    student_dir.mkdir()
    env = lab_environment(root, course, exchange, student_dir)
    # No "would you like Jupyter news?" toast over the screenshots.
    settings = Path(env["JUPYTERLAB_SETTINGS_DIR"]) / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    port, token = free_port(), secrets.token_hex(16)
    log = root / "jupyterlab.log"
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={course}",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if os.geteuid() == 0:  # CI containers run as root
        command.append("--allow-root")
    with log.open("w") as output:
        process = subprocess.Popen(
            command, cwd=course, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    running = None
    try:
        candidate = Lab(f"http://127.0.0.1:{port}", token, course, exchange, student_dir, env, log)
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                pytest.fail(f"JupyterLab exited ({process.returncode}):\n{log.read_text()}")
            try:
                candidate.api("/api/status")
                break
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not start in 120 s:\n{log.read_text()}")
                time.sleep(0.5)
        running = candidate
        yield running
    finally:
        stop(process, running)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        if log.exists():
            shutil.copy(log, ARTIFACTS / "jupyterlab.log")


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


@pytest.fixture
def page(browser, lab, request):
    """A fresh browser tab on a fresh JupyterLab workspace, logged in with the token."""
    tab = new_page(browser)
    context = tab.context
    workspace = request.node.name.removeprefix("test_").replace("_", "-")
    try:
        tab.goto(f"{lab.url}/lab/workspaces/{workspace}?reset&token={lab.token}")
        tab.wait_for_selector("#jp-main-dock-panel", timeout=120_000)
        yield tab
    finally:
        context.close()


@pytest.fixture
def shots(request):
    return Screenshots(ARTIFACTS, request.node.name.removeprefix("test_"))
