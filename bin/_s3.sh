# The local run's object storage: npm's s3rver (pinned in deploy/s3rver/package-lock.json,
# started through deploy/s3rver/server.js, which mends its deletes), which keeps every
# object and its metadata as files under var/s3, so uploaded files survive bin/stop and
# bin/run. Sourced by bin/_lib.sh; the tests keep moto.
# shellcheck shell=bash

S3RVER_DIR="$ROOT/deploy/s3rver"
# s3rver checks request signatures against this one key pair.
LOCAL_S3_KEY="S3RVER"

# Installs s3rver with npm ci when its lock changed since the last install.
ensure_s3rver_installed() {
  local stamp="$S3RVER_DIR/node_modules/.lock-sha" want
  want="$(sha256sum "$S3RVER_DIR/package-lock.json" | cut -d' ' -f1)"
  if [[ -x "$S3RVER_DIR/node_modules/.bin/s3rver" && "$(cat "$stamp" 2>/dev/null)" == "$want" ]]; then
    return 0
  fi
  say "installing the local S3 server (npm ci in deploy/s3rver)"
  (cd "$S3RVER_DIR" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  echo "$want" > "$stamp"
}

# start_local_s3 port data-dir pid-file log-file bucket: starts s3rver on 127.0.0.1:port
# with its objects under data-dir and the bucket created (with the console's CORS rules).
start_local_s3() {
  local port="$1" data="$2" pid_file="$3" log="$4" bucket="$5"
  ensure_s3rver_installed
  mkdir -p "$data"
  nohup node "$S3RVER_DIR/server.js" --directory "$data" \
    --address 127.0.0.1 --port "$port" --no-vhost-buckets \
    --configure-bucket "$bucket" "$S3RVER_DIR/cors.xml" >> "$log" 2>&1 &
  echo $! > "$pid_file"
  wait_port 127.0.0.1 "$port" 30 "the local S3 server (s3rver)"
}

# Starts s3rver on 127.0.0.1:9000 (objects in var/s3) unless S3_ENDPOINT names another
# S3 server; exports the endpoint and s3rver's key pair for the services.
ensure_s3() {
  if [[ -n "${S3_ENDPOINT:-}" ]]; then
    return 0
  fi
  export S3_ENDPOINT="http://127.0.0.1:9000"
  export S3_ACCESS_KEY="$LOCAL_S3_KEY" S3_SECRET_KEY="$LOCAL_S3_KEY"
  export S3_BUCKET="${S3_BUCKET:-zhicheng-files}"
  if port_open 127.0.0.1 9000; then
    return 0
  fi
  say "starting the local S3 server on $S3_ENDPOINT (objects in var/s3)"
  start_local_s3 9000 "$VAR/s3" "$VAR/run/s3.pid" "$VAR/log/s3.log" "$S3_BUCKET"
}
