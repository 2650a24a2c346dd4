"""JupyterHub for the pglab course on one machine: `make hub` starts it (hub/hub.sh).

What The Littlest JupyterHub does, written out: real Linux users log in with their password
(PAM), each gets a single-user JupyterLab started as that user by the default local-process
spawner, behind configurable-http-proxy. The course's accounts and paths are in hub.conf
beside this file; docs/deploy.md explains every choice.

Roles come from two hub groups and two folders of Jupyter configuration:

- ``nbgrader-<course>``: the students. Their servers read hub/jupyter/students (no
  Formgrader, no Create Assignment) and hub/jupyter/common (the shared exchange).
- ``formgrade-<course>``: the instructors and TAs. They may open and start the grader
  account's server, ``/user/<grader>/``, which reads hub/jupyter/graders (Formgrader, the
  course directory, a frame policy Formgrader can live with) and hub/jupyter/common. Nobody
  logs in as the grader: its password is locked.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
from pathlib import Path

c = get_config()  # noqa: F821 - provided by JupyterHub when it loads this file

HERE = Path(__file__).resolve().parent


CONF = Path(os.environ.get("PGLAB_HUB_CONF") or HERE / "hub.conf")  # hub.sh exports it


def _settings() -> dict[str, str]:
    """hub.conf (or PGLAB_HUB_CONF), with environment variables of the same name taking
    precedence."""
    found = {}
    for line in CONF.read_text().splitlines():
        match = re.fullmatch(r"(PGLAB_[A-Z_]+)=(.*)", line.strip())
        if match:
            found[match[1]] = " ".join(shlex.split(match[2]))
    return {key: os.environ.get(key, value) for key, value in found.items()}


conf = _settings()
COURSE = conf["PGLAB_COURSE"]
GRADER = conf["PGLAB_GRADER"]
INSTRUCTORS = conf["PGLAB_INSTRUCTORS"].split()
TAS = conf["PGLAB_TAS"].split()
STUDENTS = conf["PGLAB_STUDENTS"].split()
if conf.get("PGLAB_ROSTER"):  # every student on the roster (hub/roster.py) may log in too
    _spec = importlib.util.spec_from_file_location("pglab_hub_roster", HERE / "roster.py")
    _roster = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(_roster)
    STUDENTS += [
        row["id"]
        for row in _roster.read(CONF.parent / conf["PGLAB_ROSTER"])
        if row["id"] not in STUDENTS
    ]
PREFIX = Path(conf["PGLAB_PREFIX"])
STATE = Path(conf["PGLAB_STATE"])
ENV_BIN = PREFIX / "venv" / "bin"
JUPYTER_CONFIG = PREFIX / "jupyter"  # a copy of hub/jupyter/, readable by every user

# --- the hub and its proxy -------------------------------------------------------------------
c.JupyterHub.ip = conf["PGLAB_HUB_IP"]
c.JupyterHub.port = int(conf["PGLAB_HUB_PORT"])
# The proxy's API and the hub itself listen on the next two ports, on loopback only.
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(conf["PGLAB_HUB_PORT"]) + 2
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
PROXY = PREFIX / "proxy" / "node_modules" / ".bin" / "configurable-http-proxy"
c.ConfigurableHTTPProxy.command = [str(PROXY)]
c.ConfigurableHTTPProxy.pid_file = str(STATE / "jupyterhub-proxy.pid")
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:" + str(int(conf["PGLAB_HUB_PORT"]) + 1)
# Stopping the hub (make hub-stop) stops every user's server, the grader's included.
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True

# --- who may log in --------------------------------------------------------------------------
c.JupyterHub.authenticator_class = "pam"
c.Authenticator.allowed_users = set(INSTRUCTORS + TAS + STUDENTS + [GRADER])
c.Authenticator.admin_users = set()  # roles below grant what graders need, nothing more
c.PAMAuthenticator.open_sessions = False  # no systemd-logind session per server
c.JupyterHub.load_groups = {
    f"formgrade-{COURSE}": {"users": INSTRUCTORS + TAS},
    f"nbgrader-{COURSE}": {"users": STUDENTS},
}
c.JupyterHub.load_roles = [
    {
        # Instructors and TAs open (and start) the grader's server, which runs Formgrader.
        "name": f"graders-{COURSE}",
        "groups": [f"formgrade-{COURSE}"],
        "scopes": [
            f"access:servers!user={GRADER}",
            f"servers!user={GRADER}",
            f"read:users!user={GRADER}",
        ],
    },
    {
        # `make hub` starts the grader's server through the API with this service's token.
        "name": f"setup-{COURSE}",
        "services": [f"setup-{COURSE}"],
        "scopes": [f"servers!user={GRADER}", f"read:users!user={GRADER}"],
    },
]
_token = STATE / "setup-token"
c.JupyterHub.services = (
    [{"name": f"setup-{COURSE}", "api_token": _token.read_text().strip()}]
    if _token.exists()
    else []
)

# --- the single-user servers -----------------------------------------------------------------
c.Spawner.cmd = [str(ENV_BIN / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 90
c.Spawner.mem_limit = None


def _jupyter_config_path(spawner) -> str:
    role = "graders" if spawner.user.name == GRADER else "students"
    return f"{JUPYTER_CONFIG / role}:{JUPYTER_CONFIG / 'common'}"


c.Spawner.environment = {
    # The course environment first: nbgrader runs `alembic` from PATH, and the spawner would
    # otherwise hand down the hub's own PATH.
    "PATH": f"{ENV_BIN}:/usr/local/bin:/usr/bin:/bin",
    "JUPYTER_CONFIG_PATH": _jupyter_config_path,
    "PGLAB_COURSE": COURSE,
    "PGLAB_EXCHANGE": conf["PGLAB_EXCHANGE"],
}


def _pre_spawn(spawner) -> None:
    """The grader's server opens in the course directory (its terminals start there)."""
    if spawner.user.name == GRADER:
        spawner.notebook_dir = f"~/{COURSE}"


c.Spawner.pre_spawn_hook = _pre_spawn
