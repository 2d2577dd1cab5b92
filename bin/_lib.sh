# Shared by bin/run, bin/test and bin/stop: find the project, prepare the virtualenv,
# and make sure PostgreSQL, RabbitMQ (with its management plugin) and S3 are up.
# shellcheck shell=bash
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
VAR="$ROOT/var"
PY="$VENV/bin/python"
mkdir -p "$VAR/log" "$VAR/run"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

wait_port() {  # host port seconds what
  local i
  for ((i = 0; i < $3 * 5; i++)); do
    port_open "$1" "$2" && return 0
    sleep 0.2
  done
  echo "$4 did not start listening on $1:$2 within $3 s" >&2
  return 1
}

# The local S3 server and the linter: all bin/run needs beyond production, at the versions
# requirements-dev.lock pins.
RUN_TOOLS=("moto[s3]" flask flask-cors ruff)

# ensure_venv run|test: production dependencies (requirements.lock) plus, for "run", the
# RUN_TOOLS and, for "test", every development and test tool (requirements-dev.lock).
# Installs again when either lock changes; a venv installed for "test" serves "run".
# Concurrent runs wait for each other (flock) instead of installing at the same time.
venv_ready() {  # profile want
  local have
  have="$(cat "$VENV/.lock-sha" 2>/dev/null || true)"
  [[ -x "$PY" && ( "$have" == "$2 test" || "$have" == "$2 $1" ) ]]
}

ensure_venv() {
  local profile="${1:-test}" want lock
  want="$(cat "$ROOT/requirements.lock" "$ROOT/requirements-dev.lock" | sha256sum | cut -d' ' -f1)"
  venv_ready "$profile" "$want" && return 0
  exec {lock}> "$VAR/run/venv.lock"
  flock "$lock"
  if ! venv_ready "$profile" "$want"; then
    say "installing pinned dependencies into .venv ($profile)"
    [[ -x "$PY" ]] || python3 -m venv "$VENV"
    local pip=("$PY" -m pip --disable-pip-version-check)
    "${pip[@]}" install --quiet --upgrade pip==24.3.1
    if [[ "$profile" == test ]]; then
      "${pip[@]}" install --quiet -r "$ROOT/requirements-dev.lock"  # with requirements.lock
    else
      "${pip[@]}" install --quiet -r "$ROOT/requirements.lock" \
        -c "$ROOT/requirements-dev.lock" "${RUN_TOOLS[@]}"
    fi
    "${pip[@]}" check
    echo "$want $profile" > "$VENV/.lock-sha"
  fi
  exec {lock}>&-
}

# poppler-utils (pdftoppm, pdftotext, pdffonts) and the CJK font every generated PDF
# embeds (fonts-wqy-microhei, services/common/fonts.py; the image installs it too).
ensure_pdf_tools() {
  if command -v pdftoppm >/dev/null && command -v pdftotext >/dev/null \
      && [[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ]]; then
    return 0
  fi
  say "installing poppler-utils and fonts-wqy-microhei"
  local packages=(poppler-utils fonts-wqy-microhei)
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${packages[@]}" >/dev/null \
    || { apt-get update -q >/dev/null \
         && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${packages[@]}" >/dev/null; }
}

ensure_postgres() {
  if ! port_open 127.0.0.1 5432; then
    say "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  fi
  wait_port 127.0.0.1 5432 60 PostgreSQL
  local i
  for ((i = 0; i < 60; i++)); do
    pg_isready -h 127.0.0.1 -p 5432 -q && return 0
    sleep 0.5
  done
  echo "PostgreSQL is not accepting connections" >&2
  return 1
}

ensure_rabbitmq() {
  if ! port_open 127.0.0.1 5672; then
    say "starting RabbitMQ"
    rabbitmq-server -detached
    wait_port 127.0.0.1 5672 120 RabbitMQ
  fi
  if ! port_open 127.0.0.1 15672; then
    say "enabling the RabbitMQ management plugin"
    rabbitmq-plugins enable --quiet rabbitmq_management >/dev/null
    wait_port 127.0.0.1 15672 120 "RabbitMQ management"
  fi
}

# Starts moto's S3 server on 127.0.0.1:9000 unless S3_ENDPOINT names another one.
ensure_s3() {
  if [[ -n "${S3_ENDPOINT:-}" ]]; then
    return 0
  fi
  export S3_ENDPOINT="http://127.0.0.1:9000"
  if port_open 127.0.0.1 9000; then
    return 0
  fi
  say "starting moto's S3 server on $S3_ENDPOINT"
  nohup "$VENV/bin/moto_server" -H 127.0.0.1 -p 9000 > "$VAR/log/s3.log" 2>&1 &
  echo $! > "$VAR/run/s3.pid"
  wait_port 127.0.0.1 9000 30 "moto S3 server"
}

ensure_database() {  # name
  local exists
  exists="$(psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$1'")"
  if [[ "$exists" != "1" ]]; then
    say "creating database $1"
    psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE \"$1\""
  fi
}

# The reference web console (console/, Vue + Vite): `npm ci` when package-lock.json
# changed, `vite build` into console/dist when its sources changed (hash stamps, like
# ensure_venv). Without npm the console is left out: the gateway answers 404 at / then.
console_sources_sha() {
  (cd "$ROOT/console" && find src index.html vite.config.ts tsconfig.json package-lock.json \
    -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
}

ensure_console() {
  local dir="$ROOT/console" want lock
  if ! command -v npm >/dev/null; then
    echo "npm (Node 20) is not installed: the web console is not built" >&2
    return 0
  fi
  exec {lock}> "$VAR/run/console.lock"
  flock "$lock"
  want="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
  if [[ "$(cat "$dir/node_modules/.lock-sha" 2>/dev/null || true)" != "$want" ]]; then
    say "installing the console's packages (npm ci)"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" > "$dir/node_modules/.lock-sha"
  fi
  want="$(console_sources_sha)"
  if [[ "$(cat "$dir/dist/.sources-sha" 2>/dev/null || true)" != "$want" ]]; then
    say "building the web console (vite build)"
    # built aside and swapped in, keeping the previous assets: pages already open (a
    # running platform, a running test) still find the chunks they load later
    rm -rf "$dir/dist.new"
    (cd "$dir" && npx --no-install vite build --logLevel warn --outDir dist.new)
    if [[ -d "$dir/dist/assets" ]]; then
      cp -rn "$dir/dist/assets/." "$dir/dist.new/assets/"
    fi
    echo "$want" > "$dir/dist.new/.sources-sha"
    rm -rf "$dir/dist.old"
    [[ -d "$dir/dist" ]] && mv "$dir/dist" "$dir/dist.old"
    mv "$dir/dist.new" "$dir/dist"
    rm -rf "$dir/dist.old"
  fi
  exec {lock}>&-
}

# Debian's chromium for the console's browser tests (driven by playwright-core; no
# browser is ever downloaded).
ensure_chromium() {
  [[ -x /usr/bin/chromium ]] && return 0
  say "installing Debian's chromium (browser tests of the web console)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null \
    || { apt-get update -q >/dev/null \
         && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; }
}
