"""The course hub of `make hub`, started for the journeys, and one browser session per user.

The hub runs as `make hub` sets it up (hub/hub.conf), on a free port, with the demo accounts.
Before it starts, the demo course is reset: the demo users' homes are emptied, the course
directory is recreated from this repository and the course's folder in the exchange is
removed. Don't run these tests on a server whose demo course you want to keep. At the end
`make hub-stop` stops everything, and the fixture checks that no process of the hub, of its
proxy or of a course user is left.

They need root (real Linux users, PAM login): as another user they are skipped.
"""

from __future__ import annotations

import os
import pwd
import re
import shlex
import shutil
import socket
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import psutil
import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
ARTIFACTS = REPOSITORY / "artifacts" / "hub"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SETUP_TIMEOUT = 600  # `make hub` may build the course environment (about a minute)


def hub_conf() -> dict[str, str]:
    """hub/hub.conf as hub.sh and jupyterhub_config.py read it (the environment wins)."""
    found = {}
    for line in (REPOSITORY / "hub" / "hub.conf").read_text().splitlines():
        match = re.fullmatch(r"(PGLAB_[A-Z_]+)=(.*)", line.strip())
        if match:
            found[match[1]] = " ".join(shlex.split(match[2]))
    return {key: os.environ.get(key, value) for key, value in found.items()}


def free_ports() -> int:
    """A free port p with p + 1 and p + 2 free too: the proxy's API and the hub use them."""
    for _ in range(50):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        try:
            for offset in (1, 2):
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", port + offset))
        except OSError:
            continue
        return port
    raise RuntimeError("no three consecutive free ports")


@dataclass
class Hub:
    url: str
    conf: dict[str, str]
    passwords: dict[str, str]
    state: Path
    users: list[str] = field(default_factory=list)

    @property
    def grader(self) -> str:
        return self.conf["PGLAB_GRADER"]

    @property
    def course_id(self) -> str:
        return self.conf["PGLAB_COURSE"]

    @property
    def course(self) -> Path:
        return self.home(self.grader) / self.course_id

    @property
    def exchange(self) -> Path:
        return Path(self.conf["PGLAB_EXCHANGE"])

    def uid(self, user: str) -> int:
        return pwd.getpwnam(user).pw_uid

    def home(self, user: str) -> Path:
        return Path(pwd.getpwnam(user).pw_dir)

    def as_user(
        self, user: str, *command: str, input: bytes | None = None, check: bool = True
    ) -> subprocess.CompletedProcess:
        """A command run as USER, the way a course user's terminal has it."""
        env = {
            "HOME": str(self.home(user)),
            "USER": user,
            "LANG": "C.UTF-8",
            "PATH": f"{self.conf['PGLAB_PREFIX']}/venv/bin:/usr/local/bin:/usr/bin:/bin",
        }
        result = subprocess.run(
            [
                "runuser",
                "-u",
                user,
                "--",
                "env",
                "-i",
                *(f"{k}={v}" for k, v in env.items()),
                *command,
            ],
            cwd="/",
            input=input,
            capture_output=True,
            timeout=300,
        )
        if check:
            assert result.returncode == 0, result.stderr.decode(errors="replace")
        return result


def make(target: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "-s", "-C", str(REPOSITORY), target],
        env=env,
        capture_output=True,
        text=True,
        timeout=SETUP_TIMEOUT,
    )


def reset_demo_course(conf: dict[str, str]) -> None:
    """Empty the demo users' homes (fetched work, nbgrader_cache) and the course's exchange."""
    users = [conf["PGLAB_GRADER"]] + " ".join(
        conf[k] for k in ("PGLAB_INSTRUCTORS", "PGLAB_TAS", "PGLAB_STUDENTS")
    ).split()
    for user in users:
        try:
            home = Path(pwd.getpwnam(user).pw_dir)
        except KeyError:
            continue
        for child in home.iterdir() if home.is_dir() else []:
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
    shutil.rmtree(Path(conf["PGLAB_EXCHANGE"]) / conf["PGLAB_COURSE"], ignore_errors=True)


def leftovers(conf: dict[str, str], users: list[str]) -> list[psutil.Process]:
    """Processes of the hub, its proxy or any course user that are still running."""
    marker = str(REPOSITORY / "hub" / "jupyterhub_config.py")
    proxy = f"configurable-http-proxy --ip {conf['PGLAB_HUB_IP']} --port {conf['PGLAB_HUB_PORT']}"
    found = []
    for process in psutil.process_iter(["username", "cmdline"]):
        cmdline = " ".join(process.info["cmdline"] or [])
        if process.info["username"] in users or marker in cmdline or proxy in cmdline:
            found.append(process)
    return found


@pytest.fixture(scope="module")
def hub() -> Hub:
    if os.geteuid() != 0:
        pytest.skip(
            "the hub journeys need root: `make hub` creates real Linux users and JupyterHub "
            "logs them in with PAM (CI runs as root; run `sudo make test` to include them)"
        )
    port = free_ports()
    env = dict(os.environ, PGLAB_HUB_PORT=str(port))
    conf = hub_conf() | {"PGLAB_HUB_PORT": str(port)}
    stopped = make("hub-stop", env)  # a hub left running would hold the state directory
    assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    reset_demo_course(conf)
    started = make("hub", env)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "make-hub.log").write_text(started.stdout + started.stderr)
    state = Path(conf["PGLAB_STATE"])
    users = [conf["PGLAB_GRADER"]] + " ".join(
        conf[k] for k in ("PGLAB_INSTRUCTORS", "PGLAB_TAS", "PGLAB_STUDENTS")
    ).split()
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        passwords = dict(
            line.split(":", 1) for line in (state / "demo-passwords").read_text().split()
        )
        yield Hub(f"http://{conf['PGLAB_HUB_IP']}:{port}", conf, passwords, state, users)
    finally:
        stopped = make("hub-stop", env)
        log = state / "jupyterhub.log"
        if log.exists():
            shutil.copy(log, ARTIFACTS / "jupyterhub.log")
        left = leftovers(conf, users)
        for process in left:
            try:
                process.kill()
            except psutil.NoSuchProcess:
                pass
        assert stopped.returncode == 0, stopped.stdout + stopped.stderr
        assert not left, f"`make hub-stop` left processes running: {left}"


def chromium_executable() -> str:
    for candidate in (os.environ.get("PGLAB_CHROMIUM"), "chromium", "chromium-browser"):
        if candidate and shutil.which(candidate):
            return shutil.which(candidate)
    pytest.fail("the hub journeys need Chromium: `apt-get install chromium` (or PGLAB_CHROMIUM)")


@pytest.fixture(scope="module")
def browser(hub):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=chromium_executable(), args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


class Shots:
    """Numbered screenshots of the whole story, saved under artifacts/hub/."""

    def __init__(self) -> None:
        self.count = 0
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for old in ARTIFACTS.glob("*.png"):
            old.unlink()

    def __call__(self, page, step: str, **kwargs) -> Path:
        self.count += 1
        path = ARTIFACTS / f"{self.count:02d}-{step}.png"
        page.screenshot(path=path, **kwargs)
        return path


@pytest.fixture(scope="module")
def shots() -> Shots:
    return Shots()


class People:
    """One browser context per user, logged in through the hub's login form once."""

    def __init__(self, hub: Hub, browser, shots: Shots):
        self.hub, self.browser, self.shots = hub, browser, shots
        self.contexts = {}
        self.pages = {}

    def new_page(self):
        context = self.browser.new_context(viewport={"width": 1440, "height": 900})
        context.set_default_timeout(60_000)
        return context.new_page()

    def login_form(self, page, user: str, password: str, next_url: str | None = None) -> None:
        target = f"{self.hub.url}/hub/login"
        if next_url:
            target += f"?next={quote(next_url)}"
        page.goto(target)
        page.fill("#username_input", user)
        page.fill("#password_input", password)
        page.click("#login_submit")

    def page(self, user: str, server: str | None = None):
        """USER's tab on SERVER's JupyterLab (their own by default), logged in."""
        server = server or user
        if (user, server) in self.pages:
            return self.pages[user, server]
        if user not in self.contexts:
            # Logging in starts your own server and opens it, as for anyone on the hub.
            page = self.new_page()
            self.contexts[user] = page.context
            self.login_form(page, user, self.hub.passwords[user])
            page.wait_for_selector("#jp-main-dock-panel", timeout=180_000)
            self.pages[user, user] = page
        if server != user:
            # Another user's server (the grader's) asks whether it may identify you.
            page = self.contexts[user].new_page()
            page.goto(f"{self.hub.url}/user/{server}/lab")
            authorize = page.get_by_role("button", name="Authorize")
            authorize.wait_for(timeout=120_000)
            self.shots(page, f"{user}-authorizes-{server}")
            authorize.click()
            page.wait_for_selector("#jp-main-dock-panel", timeout=180_000)
            self.pages[user, server] = page
        return self.pages[user, server]

    def close(self) -> None:
        for context in self.contexts.values():
            context.close()


@pytest.fixture(scope="module")
def people(hub, browser, shots):
    crowd = People(hub, browser, shots)
    try:
        yield crowd
    finally:
        crowd.close()
