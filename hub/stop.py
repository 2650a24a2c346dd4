"""Stop the course hub that hub/hub.sh started: `make hub-stop`.

SIGTERM to JupyterHub, which stops every user's server (the grader's too) and the proxy it
started, then exits. Whatever of its process tree is still alive after that (a server that
ignored the hub, a kernel a server left behind) is ended here, by process id, so
`make hub-stop` leaves nothing of the hub running.
"""

from __future__ import annotations

import sys
from pathlib import Path

import psutil

WAIT = 45  # seconds for the hub's own shutdown (each server gets 10 s to stop on SIGINT)


def tree(process: psutil.Process) -> list[psutil.Process]:
    try:
        return [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def proxy(pid_file: Path) -> list[psutil.Process]:
    """The configurable-http-proxy whose pid the hub recorded, if it is still running."""
    try:
        process = psutil.Process(int(pid_file.read_text()))
        if any("configurable-http-proxy" in part for part in process.cmdline()):
            return [process]
    except (FileNotFoundError, ValueError, psutil.NoSuchProcess, psutil.AccessDenied):
        pass
    return []


def main(state: Path) -> int:
    pid_file = state / "jupyterhub.pid"
    proxy_pid_file = state / "jupyterhub-proxy.pid"
    try:
        hub = psutil.Process(int(pid_file.read_text()))
        if not any("jupyterhub" in part for part in hub.cmdline()):
            raise psutil.NoSuchProcess(hub.pid)
    except (FileNotFoundError, ValueError, psutil.NoSuchProcess):
        print("hub: not running")
        pid_file.unlink(missing_ok=True)
        return 0
    started = tree(hub) + proxy(proxy_pid_file)
    print(f"hub: stopping JupyterHub (pid {hub.pid}) and its {len(started) - 1} processes")
    hub.terminate()
    try:
        hub.wait(WAIT)
    except psutil.TimeoutExpired:
        print(f"hub: JupyterHub still running after {WAIT} s; killing it")
    # Anything left: what the hub started before (servers, kernels, the proxy) and since; a
    # proxy the hub restarted while shutting down has the hub's proxy pid file.
    left = {p.pid: p for p in started + tree(hub) + proxy(proxy_pid_file) if p.is_running()}
    for process in left.values():
        try:
            process.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(list(left.values()), timeout=10)
    if left:
        print(f"hub: ended {len(left)} leftover processes")
    pid_file.unlink(missing_ok=True)
    proxy_pid_file.unlink(missing_ok=True)
    print("hub: stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
