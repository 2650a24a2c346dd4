#!/usr/bin/env bash
# The course server on one machine: `make hub` runs `hub/hub.sh start`, `make hub-stop` runs
# `hub/hub.sh stop`. Needs root (real Linux users, PAM). Every step is idempotent: running
# `start` again keeps the course directory and the gradebook, and it never changes an account
# that already exists (its password, its home): it only creates the missing ones.
# Settings: hub/hub.conf, or the file PGLAB_HUB_CONF names (an environment variable of the
# same name overrides a line).
set -euo pipefail

HUB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$HUB_DIR")"
CONF="${PGLAB_HUB_CONF:-$HUB_DIR/hub.conf}"
[ -f "$CONF" ] || { echo "hub: no settings file $CONF" >&2; exit 1; }
CONF="$(cd "$(dirname "$CONF")" && pwd)/$(basename "$CONF")"
export PGLAB_HUB_CONF="$CONF"  # jupyterhub_config.py reads the same file
while IFS= read -r line; do  # hub.conf: KEY=value lines; the environment wins
  [[ "$line" =~ ^(PGLAB_[A-Z_]+)=(.*)$ ]] || continue
  key="${BASH_REMATCH[1]}"
  [ -n "${!key:-}" ] || eval "$key=${BASH_REMATCH[2]}"
  export "${key?}"
done <"$CONF"

PYTHON=/usr/bin/python3            # world-readable, unlike a pyenv under /root
ENV="$PGLAB_PREFIX/venv"
PROXY_VERSION=4.6.3                # runs on Debian 12's Node 18 (5.x needs Node 20)
URL="http://$PGLAB_HUB_IP:$PGLAB_HUB_PORT"
# The roster (PGLAB_ROSTER, a CSV of ids and names; relative to the settings file): its
# students are students of the hub too, and their names go into the gradebook.
ROSTER=""
if [ -n "${PGLAB_ROSTER:-}" ]; then
  case "$PGLAB_ROSTER" in /*) ROSTER="$PGLAB_ROSTER" ;; *) ROSTER="$(dirname "$CONF")/$PGLAB_ROSTER" ;; esac
  [ -f "$ROSTER" ] || { echo "hub: the roster $ROSTER (PGLAB_ROSTER) does not exist" >&2; exit 1; }
fi
roster() { "$PYTHON" "$HUB_DIR/roster.py" "$@"; }
STUDENTS="$PGLAB_STUDENTS"
if [ -n "$ROSTER" ] && [ "${1:-}" = start ]; then
  roster_ids="$(roster ids "$ROSTER")" || exit 1
  for id in $roster_ids; do [[ " $STUDENTS " == *" $id "* ]] || STUDENTS="$STUDENTS $id"; done
fi
GRADERS="$PGLAB_INSTRUCTORS $PGLAB_TAS"
ALL_USERS="$PGLAB_GRADER $GRADERS $STUDENTS"

say() { printf 'hub: %s\n' "$*"; }

need_root() {
  [ "$(id -u)" = 0 ] || { echo "hub: needs root (real users, PAM login): sudo make ${1:-hub}" >&2; exit 1; }
}

apt_install() {
  command -v apt-get >/dev/null 2>&1 || { echo "hub: install $* first" >&2; exit 1; }
  [ -n "${APT_UPDATED:-}" ] || { apt-get update -qq; APT_UPDATED=1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# A command as USER, with the course environment on PATH (`runuser -u` resets PATH, and
# nbgrader runs `alembic` from it) and the grader's Jupyter configuration.
as_user() {
  local user="$1"; shift
  local home; home="$(getent passwd "$user" | cut -d: -f6)"
  runuser -u "$user" -- env -i HOME="$home" USER="$user" LOGNAME="$user" LANG=C.UTF-8 \
    PATH="$ENV/bin:/usr/local/bin:/usr/bin:/bin" PGLAB_COURSE="$PGLAB_COURSE" \
    PGLAB_EXCHANGE="$PGLAB_EXCHANGE" \
    JUPYTER_CONFIG_PATH="$PGLAB_PREFIX/jupyter/graders:$PGLAB_PREFIX/jupyter/common" \
    bash -c 'cd "$HOME" && "$@"' bash "$@"
}

system_packages() {
  local missing=()
  command -v node >/dev/null 2>&1 || missing+=(nodejs)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
  command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  [ -x "$PYTHON" ] || missing+=(python3)
  "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1 || missing+=(python3-venv)
  if [ "${#missing[@]}" -gt 0 ]; then say "installing ${missing[*]}"; apt_install "${missing[@]}"; fi
}

# The course environment: this repository (not editable: users can't read the checkout)
# with JupyterHub, from Debian's python3, in a folder every user can read.
course_environment() {
  install -d -m 755 "$PGLAB_PREFIX"
  local stamp="$ENV/.pglab-installed"
  if [ ! -f "$stamp" ] || [ "$REPO/pyproject.toml" -nt "$stamp" ] \
     || [ -n "$(find "$REPO/autograder" -newer "$stamp" -name '*.py' -print -quit)" ]; then
    say "installing the course environment in $ENV (a minute or two)"
    [ -x "$ENV/bin/python" ] || "$PYTHON" -m venv "$ENV"
    "$ENV/bin/python" -m pip install --quiet --upgrade pip
    # pip compiles on one core; compileall on all of them (as the Makefile does for .venv).
    "$ENV/bin/python" -m pip install --quiet --no-compile "$REPO[hub]"
    "$ENV/bin/python" -m compileall -q -j0 "$ENV/lib" >/dev/null 2>&1 || true
    touch "$stamp"
  fi
  local proxy="$PGLAB_PREFIX/proxy/node_modules/.bin/configurable-http-proxy"
  if [ ! -x "$proxy" ]; then
    say "installing configurable-http-proxy $PROXY_VERSION from npm"
    install -d -m 755 "$PGLAB_PREFIX/proxy"
    npm install --silent --no-audit --no-fund --prefix "$PGLAB_PREFIX/proxy" \
      "configurable-http-proxy@$PROXY_VERSION" >/dev/null
  fi
  # JupyterLab defaults for everyone: no "Jupyter news?" prompt, no update check.
  install -D -m 644 "$HUB_DIR/lab-overrides.json" "$ENV/share/jupyter/lab/settings/overrides.json"
  # The per-role Jupyter configuration, copied as is from hub/jupyter/ (readable by all),
  # and the roster reader the grader runs to fill the gradebook.
  rm -rf "$PGLAB_PREFIX/jupyter"
  cp -r "$HUB_DIR/jupyter" "$PGLAB_PREFIX/jupyter"
  install -m 644 "$HUB_DIR/roster.py" "$PGLAB_PREFIX/roster.py"
  chmod -R a+rX "$PGLAB_PREFIX"
}

# Real users with private homes (mode 700). Only missing accounts are created: a new user
# gets a random password, kept in $PGLAB_STATE/demo-passwords (root only) and printed at the
# end; a new grader account gets none (locked). An account that exists already is left
# exactly as it is (password, home, mode): `make hub` only says so.
users() {
  install -d -m 700 "$PGLAB_STATE"
  local passwords="$PGLAB_STATE/demo-passwords"
  touch "$passwords"; chmod 600 "$passwords"
  local user home name password kept=()
  for user in $ALL_USERS; do
    if id -u "$user" >/dev/null 2>&1; then
      kept+=("$user")
      home="$(getent passwd "$user" | cut -d: -f6)"
      if [ -d "$home" ] && (( 8#$(stat -c %a "$home") & 8#007 )); then
        say "warning: $user's home $home is open to other users (chmod 700 it to keep work private)"
      fi
      continue
    fi
    name=""
    [ -z "$ROSTER" ] || name="$(roster name "$ROSTER" "$user")"
    useradd --create-home --shell /bin/bash --comment "${name:-pglab hub account}" "$user"
    chmod 700 "$(getent passwd "$user" | cut -d: -f6)"
    if [ "$user" = "$PGLAB_GRADER" ]; then
      passwd --lock "$user" >/dev/null
      say "created the grader account $user (password locked: nobody logs in as it)"
      continue
    fi
    password="$(head -c 12 /dev/urandom | base64 | tr -d '/+=' | head -c 12)"
    echo "$user:$password" | chpasswd
    sed -i "/^$user:/d" "$passwords"
    echo "$user:$password" >>"$passwords"
    say "created user $user with a new password (in $passwords)"
  done
  [ "${#kept[@]}" -eq 0 ] || say "existing accounts left as they are (passwords unchanged): ${kept[*]}"
}

# nbgrader's exchange: everyone may create entries, nobody may remove another's (sticky).
# Release makes <course>/outbound readable and <course>/inbound write-only for students.
exchange() {
  install -d -m 755 "$(dirname "$PGLAB_EXCHANGE")"
  install -d -m 1777 "$PGLAB_EXCHANGE"
  chmod 1777 "$PGLAB_EXCHANGE"
}

# The course directory, owned by the grader: this repository's course config and sources.
# An existing course directory is left alone (it holds the gradebook).
course_directory() {
  local home; home="$(getent passwd "$PGLAB_GRADER" | cut -d: -f6)"
  local course="$home/$PGLAB_COURSE" assignment
  if [ ! -f "$course/nbgrader_config.py" ]; then
    say "creating the course directory $course"
    install -d -m 700 -o "$PGLAB_GRADER" -g "$PGLAB_GRADER" "$course"
    cp "$REPO/nbgrader_config.py" "$course/"
    install -d "$course/source"
    for assignment in "$REPO"/release/*/; do
      cp -r "$REPO/source/$(basename "$assignment")" "$course/source/"
    done
    chown -R "$PGLAB_GRADER:$PGLAB_GRADER" "$course"
    for assignment in "$REPO"/release/*/; do  # the assignments this repository releases
      assignment="$(basename "$assignment")"
      as_user "$PGLAB_GRADER" bash -c "cd '$course' && nbgrader generate_assignment '$assignment' --force --log-level=WARN"
    done
  fi
}

# The students into the gradebook as nbgrader's Student records, with their names from the
# roster (Formgrader lists them by name), as the grader. Names already there are kept when the
# roster has none; run again after editing the roster.
gradebook_students() {
  local course; course="$(getent passwd "$PGLAB_GRADER" | cut -d: -f6)/$PGLAB_COURSE"
  say "$(as_user "$PGLAB_GRADER" "$ENV/bin/python" "$PGLAB_PREFIX/roster.py" gradebook \
    "$course" $STUDENTS <"${ROSTER:-/dev/null}")"
}

hub_running() {
  [ -f "$PGLAB_STATE/jupyterhub.pid" ] && kill -0 "$(cat "$PGLAB_STATE/jupyterhub.pid")" 2>/dev/null
}

api() {  # api METHOD PATH: the hub's REST API with the setup service's token
  curl -fsS -X "$1" -H "Authorization: token $(cat "$PGLAB_STATE/setup-token")" "$URL/hub/api$2"
}

start_hub() {
  [ -s "$PGLAB_STATE/setup-token" ] || { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$PGLAB_STATE/setup-token"; }
  chmod 600 "$PGLAB_STATE/setup-token"
  if hub_running; then
    say "already running (pid $(cat "$PGLAB_STATE/jupyterhub.pid")); make hub-stop first to restart"
  else
    if curl -s -o /dev/null "$URL/"; then echo "hub: something already listens on $URL" >&2; exit 1; fi
    say "starting JupyterHub on $URL (log: $PGLAB_STATE/jupyterhub.log)"
    # Its own session, its files (database, cookie secret, proxy pid) in $PGLAB_STATE; the
    # subshell becomes JupyterHub (exec), so $! is the hub's pid.
    (cd "$PGLAB_STATE" && exec setsid "$ENV/bin/jupyterhub" -f "$HUB_DIR/jupyterhub_config.py" \
       >"$PGLAB_STATE/jupyterhub.log" 2>&1 </dev/null) &
    echo $! >"$PGLAB_STATE/jupyterhub.pid"
    local deadline=$((SECONDS + 90))
    until curl -fsS -o /dev/null "$URL/hub/api/"; do
      if ! hub_running || [ "$SECONDS" -gt "$deadline" ]; then
        tail -n 40 "$PGLAB_STATE/jupyterhub.log" >&2; echo "hub: JupyterHub did not start" >&2; exit 1
      fi
      sleep 0.5
    done
    hub_running || { echo "hub: JupyterHub exited; see $PGLAB_STATE/jupyterhub.log" >&2; exit 1; }
  fi
  # The grader's server runs Formgrader for instructors and TAs: start it now.
  api POST "/users/$PGLAB_GRADER/server" >/dev/null 2>&1 || true
  local deadline=$((SECONDS + 120))
  until [[ "$(api GET "/users/$PGLAB_GRADER" 2>/dev/null)" == *'"ready": true'* ]]; do
    if [ "$SECONDS" -gt "$deadline" ]; then echo "hub: the grader's server did not start" >&2; exit 1; fi
    sleep 0.5
  done
}

report() {
  cat <<EOF

The course hub is running at $URL/ (JupyterHub, PAM login).
  instructors: $PGLAB_INSTRUCTORS   TAs: $PGLAB_TAS   students:$( printf ' %s' $STUDENTS )
  Formgrader (instructors and TAs): $URL/user/$PGLAB_GRADER/lab  (Nbgrader -> Formgrader)
  course directory: ~$PGLAB_GRADER/$PGLAB_COURSE   exchange: $PGLAB_EXCHANGE
  passwords of the accounts \`make hub\` created (also in $PGLAB_STATE/demo-passwords):
EOF
  sed 's/^/    /; s/:/  /' "$PGLAB_STATE/demo-passwords"
  echo "Stop everything with: make hub-stop"
}

stop() {
  if ! [ -f "$PGLAB_STATE/jupyterhub.pid" ]; then say "not running"; return 0; fi
  # The hub stops every user's server and its proxy when it exits; hub/stop.py waits for
  # that, then ends anything of the hub's process tree that is still there.
  "$ENV/bin/python" "$HUB_DIR/stop.py" "$PGLAB_STATE"
}

case "${1:-}" in
  start)
    need_root hub
    system_packages
    course_environment
    users
    exchange
    course_directory
    gradebook_students
    start_hub
    report
    ;;
  stop)
    need_root hub-stop
    stop
    ;;
  *)
    echo "usage: hub/hub.sh start|stop" >&2; exit 2 ;;
esac
