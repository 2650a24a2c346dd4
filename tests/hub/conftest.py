"""The course hub of `make hub`, started for the journeys on a configuration of their own,
and one browser session per user.

The journeys never touch an account, a home, a course or a path they did not create: they
write their own hub.conf (PGLAB_HUB_CONF) whose accounts all carry the test-only prefix
``pglabtest-`` (reserved for these tests: don't give it to real users), with their own
environment (/opt/pglab-test), state (/var/lib/pglab-hub-test) and exchange
(/srv/pglab-test). The hub/hub.conf of a real class is not read. Before the hub starts, test
accounts left by an earlier run are removed; one more is created beforehand as "an existing
account" (a password, a course directory with a gradebook) and listed in the test roster:
the journeys check that `make hub` and everything after leave it byte-for-byte as it was. At
the end `make hub-stop` stops everything, the fixture checks that no process of the hub, of
its proxy or of a test user is left, and removes the test accounts and the exchange.

They need root (real Linux users, PAM login): as another user they are skipped.
"""

from __future__ import annotations

import hashlib
import os
import pwd
import shlex
import shutil
import socket
import stat
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import psutil
import pytest
from browser_support import INSTALL_HINT, Screenshots, chromium, new_page

REPOSITORY = Path(__file__).resolve().parents[2]
ARTIFACTS = REPOSITORY / "artifacts" / "hub"
TEST_PREFIX = "pglabtest-"
ROSTER = (
    "id,first_name,last_name,email\n"
    f"{TEST_PREFIX}student1,Ada,Lovelace,ada@example.org\n"
    f"{TEST_PREFIX}student2,Alan,Turing,\n"
    f"{TEST_PREFIX}existing,Grace,Hopper,\n"
)
#: The formgrader's names ("last, first") of the roster's students.
ROSTER_NAMES = {
    f"{TEST_PREFIX}student1": "Lovelace, Ada",
    f"{TEST_PREFIX}student2": "Turing, Alan",
    f"{TEST_PREFIX}existing": "Hopper, Grace",
}
EXCHANGE_ROOT = Path("/srv/pglab-test")
SETUP_TIMEOUT = 1200  # `make hub` may build the course environment (minutes on a busy machine)


def test_conf(port: int) -> dict[str, str]:
    """The journeys' own hub settings: test accounts and test paths only."""
    return {
        "PGLAB_HUB_IP": "127.0.0.1",
        "PGLAB_HUB_PORT": str(port),
        "PGLAB_COURSE": "pglab",
        "PGLAB_GRADER": f"{TEST_PREFIX}grader",
        "PGLAB_INSTRUCTORS": f"{TEST_PREFIX}instructor",
        "PGLAB_TAS": f"{TEST_PREFIX}ta",
        # student2 and the existing account come from the roster only.
        "PGLAB_STUDENTS": f"{TEST_PREFIX}student1",
        "PGLAB_ROSTER": "roster.csv",
        "PGLAB_PREFIX": "/opt/pglab-test",
        "PGLAB_STATE": "/var/lib/pglab-hub-test",
        "PGLAB_EXCHANGE": str(EXCHANGE_ROOT / "exchange"),
    }


def write_conf(directory: Path, conf: dict[str, str]) -> Path:
    path = directory / "hub.conf"
    path.write_text("".join(f"{k}={shlex.quote(v)}\n" for k, v in conf.items()))
    (directory / "roster.csv").write_text(ROSTER)
    return path


def conf_accounts(conf: dict[str, str]) -> list[str]:
    listed = " ".join(
        conf[k] for k in ("PGLAB_GRADER", "PGLAB_INSTRUCTORS", "PGLAB_TAS", "PGLAB_STUDENTS")
    ).split()
    roster = [line.split(",")[0] for line in ROSTER.splitlines()[1:]]
    return list(dict.fromkeys(listed + roster))


def refuse_foreign(conf: dict[str, str]) -> None:
    """Never run against anything but test accounts and test paths."""
    foreign = [user for user in conf_accounts(conf) if not user.startswith(TEST_PREFIX)]
    assert not foreign, f"the hub journeys only run on {TEST_PREFIX}* accounts, not {foreign}"
    for key in ("PGLAB_PREFIX", "PGLAB_STATE", "PGLAB_EXCHANGE"):
        assert "pglab-test" in conf[key] or "pglab-hub-test" in conf[key], (key, conf[key])


def test_accounts() -> list[pwd.struct_passwd]:
    return [entry for entry in pwd.getpwall() if entry.pw_name.startswith(TEST_PREFIX)]


def remove_test_accounts() -> None:
    """Remove the accounts an earlier run of these tests created (and their homes)."""
    for entry in test_accounts():
        home = Path(entry.pw_dir)
        assert home.name == entry.pw_name, (
            f"{entry.pw_name}'s home is {home}: not a home these tests created; remove the "
            f"account by hand (the {TEST_PREFIX} prefix is reserved for the hub tests)"
        )
        for process in psutil.process_iter(["username"]):
            if process.info["username"] == entry.pw_name:
                try:
                    process.kill()
                except psutil.NoSuchProcess:
                    pass
        subprocess.run(["userdel", "--remove", entry.pw_name], capture_output=True, check=False)
        assert entry.pw_name not in {e.pw_name for e in pwd.getpwall()}, entry.pw_name


def shadow_entry(user: str) -> str:
    for line in Path("/etc/shadow").read_text().splitlines():
        if line.split(":", 1)[0] == user:
            return line
    raise KeyError(user)


def tree_digest(root: Path) -> dict[str, tuple]:
    """Every path under root with its type, mode, owner and content (bytes' SHA-256)."""
    found = {}
    for path in [root, *sorted(root.rglob("*"))]:
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode):
            content = os.readlink(path)
        elif stat.S_ISREG(info.st_mode):
            content = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            content = None
        found[str(path.relative_to(root))] = (
            info.st_mode,
            info.st_uid,
            info.st_gid,
            info.st_mtime_ns if not stat.S_ISDIR(info.st_mode) else None,
            content,
        )
    return found


@dataclass
class Existing:
    """An account that was there before `make hub`: password, course and gradebook."""

    user: str
    shadow: str
    home: dict[str, tuple]

    @classmethod
    def create(cls, user: str) -> Existing:
        subprocess.run(
            ["useradd", "--create-home", "--shell", "/bin/bash", "--comment", "existing", user],
            check=True,
        )
        subprocess.run(
            ["chpasswd"], input=f"{user}:kept-{os.urandom(6).hex()}", text=True, check=True
        )
        home = Path(pwd.getpwnam(user).pw_dir)
        home.chmod(0o700)
        course = home / "pglab"
        course.mkdir()
        shutil.copy(REPOSITORY / "nbgrader_config.py", course)
        from unittest import mock

        from nbgrader.api import Gradebook

        from pglab.course import nbgrader_env

        # nbgrader runs `alembic` from PATH when it creates a gradebook.
        with (
            mock.patch.dict(os.environ, PATH=nbgrader_env()["PATH"]),
            Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook,
        ):
            gradebook.add_student("somebody", first_name="Some", last_name="Body")
        subprocess.run(["chown", "-R", f"{user}:{user}", str(home)], check=True)
        return cls(user, shadow_entry(user), tree_digest(home))

    def changes(self) -> list[str]:
        """What differs from when the account was created."""
        found = []
        if shadow_entry(self.user) != self.shadow:
            found.append("its /etc/shadow entry (password)")
        now = tree_digest(Path(pwd.getpwnam(self.user).pw_dir))
        found += [
            f"{path}: {self.home.get(path)} -> {now.get(path)}"
            for path in sorted(set(now) | set(self.home))
            if now.get(path) != self.home.get(path)
        ]
        return found


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
    existing: Existing
    setup_log: str
    conf_file: Path
    users: list[str] = field(default_factory=list)
    roster_names = ROSTER_NAMES

    @property
    def grader(self) -> str:
        return self.conf["PGLAB_GRADER"]

    # The test accounts by role.
    instructor = property(lambda self: f"{TEST_PREFIX}instructor")
    ta = property(lambda self: f"{TEST_PREFIX}ta")
    student1 = property(lambda self: f"{TEST_PREFIX}student1")
    student2 = property(lambda self: f"{TEST_PREFIX}student2")

    @property
    def course_id(self) -> str:
        return self.conf["PGLAB_COURSE"]

    @property
    def course(self) -> Path:
        return self.home(self.grader) / self.course_id

    @property
    def exchange(self) -> Path:
        return Path(self.conf["PGLAB_EXCHANGE"])

    def shadow(self, user: str) -> str:
        return shadow_entry(user)

    def make(self, target: str) -> subprocess.CompletedProcess:
        return make(target, self.conf_file)

    def uid(self, user: str) -> int:
        return pwd.getpwnam(user).pw_uid

    def home(self, user: str) -> Path:
        return Path(pwd.getpwnam(user).pw_dir)

    def as_user(
        self,
        user: str,
        *command: str,
        input: bytes | None = None,
        check: bool = True,
        timeout: float = 300,
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
            timeout=timeout,
        )
        if check:
            assert result.returncode == 0, result.stderr.decode(errors="replace")
        return result


def make(target: str, conf_file: Path) -> subprocess.CompletedProcess:
    """`make TARGET` on the journeys' settings file, with no PGLAB_* setting of the caller's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PGLAB_")}
    env["PGLAB_HUB_CONF"] = str(conf_file)
    return subprocess.run(
        ["make", "-s", "-C", str(REPOSITORY), target],
        env=env,
        capture_output=True,
        text=True,
        timeout=SETUP_TIMEOUT,
    )


def remove_test_paths(conf: dict[str, str]) -> None:
    shutil.rmtree(EXCHANGE_ROOT, ignore_errors=True)
    shutil.rmtree(conf["PGLAB_STATE"], ignore_errors=True)


def leftovers(conf: dict[str, str], users: list[str]) -> list[psutil.Process]:
    """Processes of the hub, its proxy or any course user that are still running."""
    marker = str(REPOSITORY / "hub" / "jupyterhub_config.py")
    proxy = f"configurable-http-proxy --ip {conf['PGLAB_HUB_IP']} --port {conf['PGLAB_HUB_PORT']}"
    found = []
    for process in psutil.process_iter(["username", "cmdline", "cwd"]):
        cmdline = " ".join(process.info["cmdline"] or [])
        # The test hub runs in its own state directory: another hub (a real class's, from
        # the same checkout) is not ours to stop.
        ours = marker in cmdline and process.info["cwd"] == conf["PGLAB_STATE"]
        if process.info["username"] in users or ours or proxy in cmdline:
            found.append(process)
    return found


@pytest.fixture(scope="module")
def hub(tmp_path_factory) -> Hub:
    if os.geteuid() != 0:
        pytest.skip(
            "the hub journeys need root: `make hub` creates real Linux users and JupyterHub "
            "logs them in with PAM (CI runs as root; run `sudo make test` to include them: "
            f"they only create and remove {TEST_PREFIX}* accounts)"
        )
    missing = [c for c in ("node", "npm", "curl") if not shutil.which(c)]
    if missing and not shutil.which("apt-get"):
        pytest.fail(f"the hub journeys need {' '.join(missing)}: {INSTALL_HINT}")
    port = free_ports()
    conf = test_conf(port)
    refuse_foreign(conf)
    conf_file = write_conf(tmp_path_factory.mktemp("hub-conf"), conf)
    stopped = make("hub-stop", conf_file)  # a test hub left running would hold its state
    assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    remove_test_accounts()
    remove_test_paths(conf)
    existing = Existing.create(f"{TEST_PREFIX}existing")
    users = conf_accounts(conf)
    try:
        started = make("hub", conf_file)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "make-hub.log").write_text(started.stdout + started.stderr)
        state = Path(conf["PGLAB_STATE"])
        assert started.returncode == 0, started.stdout + started.stderr
        passwords = dict(
            line.split(":", 1) for line in (state / "demo-passwords").read_text().split()
        )
        yield Hub(
            f"http://{conf['PGLAB_HUB_IP']}:{port}",
            conf,
            passwords,
            state,
            existing,
            started.stdout + started.stderr,
            conf_file,
            users,
        )
    finally:
        stopped = make("hub-stop", conf_file)
        log = Path(conf["PGLAB_STATE"]) / "jupyterhub.log"
        if log.exists():
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            shutil.copy(log, ARTIFACTS / "jupyterhub.log")
        left = leftovers(conf, users)
        for process in left:
            try:
                process.kill()
            except psutil.NoSuchProcess:
                pass
        psutil.wait_procs(left, timeout=15)
        remove_test_accounts()
        remove_test_paths(conf)
        assert stopped.returncode == 0, stopped.stdout + stopped.stderr
        assert not left, f"`make hub-stop` left processes running: {left}"


@pytest.fixture(scope="module")
def browser(hub):
    with chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def shots() -> Screenshots:
    return Screenshots(ARTIFACTS)


class People:
    """One browser context per user, logged in through the hub's login form once."""

    def __init__(self, hub: Hub, browser, shots: Screenshots):
        self.hub, self.browser, self.shots = hub, browser, shots
        self.contexts = {}
        self.pages = {}

    def new_page(self):
        return new_page(self.browser)

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
