# Shared by scripts/*: install what is missing, a throwaway PostgreSQL cluster, the bundles.
# Sourced, not run. Everything here is idempotent and quiet when there is nothing to do.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

APT_UPDATED=""
apt_install() {
  if [ -z "$APT_UPDATED" ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

ensure_rust() {
  command -v cargo >/dev/null || { echo "cargo is required (https://rustup.rs)" >&2; exit 1; }
  if command -v rustup >/dev/null; then
    rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt
    rustup target list --installed | grep -q wasm32-unknown-unknown || { log "adding the wasm32 target"; rustup target add wasm32-unknown-unknown; }
  fi
}

pg_bindir() {
  local d
  if command -v pg_config >/dev/null && [ -x "$(pg_config --bindir)/initdb" ]; then pg_config --bindir; return; fi
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$d" ] && [ -x "$d/initdb" ] && echo "$d"
}

ensure_postgres() {
  if [ -z "$(pg_bindir)" ]; then log "installing PostgreSQL (apt)"; apt_install postgresql postgresql-contrib; fi
  command -v psql >/dev/null || apt_install postgresql-client
}

# PgBouncer (transaction mode) for the tests that run the server through it.
ensure_pgbouncer() {
  [ -x /usr/sbin/pgbouncer ] || { log "installing pgbouncer (apt)"; apt_install pgbouncer; }
}

# redis-server: the shared rate-limit tests start their own throwaway one.
ensure_redis() {
  command -v redis-server >/dev/null || { log "installing redis-server (apt)"; apt_install redis-server; }
}

# What scripts/cluster runs besides the server: PgBouncer, nginx, Redis, psql, openssl.
ensure_cluster_tools() {
  ensure_postgres
  ensure_redis
  ensure_pgbouncer
  [ -x /usr/sbin/nginx ] || { log "installing nginx (apt)"; apt_install nginx; }
  command -v openssl >/dev/null || apt_install openssl
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Cargo's build outputs (CARGO_TARGET_DIR when set); data and logs stay under $ROOT/target.
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"

# Starts a throwaway cluster with `server dev-postgres` (the same code as `server dev`:
# trust auth, loopback only, no durability, the bootstrap applied; data under target/, or
# the temporary directory when running as root and the postgres user cannot reach target/)
# and exports TEST_ADMIN_DATABASE_URL (superuser). Stop it with stop_throwaway_postgres.
start_throwaway_postgres() {
  local out="$ROOT/target/throwaway-pg" url=""
  mkdir -p "$out"; : >"$out/url"
  log "building the server (it runs the throwaway PostgreSQL)"
  cargo build --quiet -p server --bin server
  (cd "$ROOT" && exec "$TARGET_DIR/debug/server" dev-postgres >"$out/url" 2>"$out/log") &
  PG_THROWAWAY_PID=$!
  for _ in $(seq 240); do
    url=$(sed -n '/^postgres:\/\//{p;q}' "$out/url")
    [ -n "$url" ] && break
    kill -0 "$PG_THROWAWAY_PID" 2>/dev/null || break
    sleep 0.25
  done
  if [ -z "$url" ]; then cat "$out/log" >&2; stop_throwaway_postgres; return 1; fi
  export TEST_ADMIN_DATABASE_URL="$url"
  log "throwaway PostgreSQL at $url"
}

stop_throwaway_postgres() {
  [ -n "${PG_THROWAWAY_PID:-}" ] || return 0
  kill -TERM "$PG_THROWAWAY_PID" 2>/dev/null || true
  wait "$PG_THROWAWAY_PID" 2>/dev/null || true
  PG_THROWAWAY_PID=""
}

# The exact wasm-bindgen the workspace locks; wasm-bindgen-cli must match it.
wasm_bindgen_version() { grep -A1 '^name = "wasm-bindgen"$' "$ROOT/Cargo.lock" | sed -n 's/^version = "\(.*\)"/\1/p'; }
TRUNK_VERSION=0.21.14

# Trunk.toml pins the wasm-bindgen trunk runs; it must be the version Cargo.lock locks, or
# wasm-bindgen refuses the wasm (or, across compatible versions, glue and wasm drift apart).
check_wasm_bindgen_pin() {
  local locked pinned
  locked=$(wasm_bindgen_version)
  pinned=$(sed -n 's/^wasm_bindgen = "\(.*\)"/\1/p' "$ROOT/Trunk.toml")
  if [ -z "$locked" ] || [ "$locked" != "$pinned" ]; then
    echo "Trunk.toml pins wasm_bindgen = \"$pinned\" but Cargo.lock locks wasm-bindgen $locked: set [tools] wasm_bindgen = \"$locked\" in Trunk.toml" >&2
    return 1
  fi
}

# `npm ci` in $1 unless every package its package.json names is installed there at the
# version its package-lock.json locks.
npm_ci_once() {
  (cd "$1" && node -e '
    const fs = require("fs");
    const { dependencies = {}, devDependencies = {} } = require("./package.json");
    const locked = require("./package-lock.json").packages;
    const installed = (d) => fs.existsSync(`node_modules/${d}/package.json`)
      && require(`./node_modules/${d}/package.json`).version === locked[`node_modules/${d}`]?.version;
    process.exit(Object.keys({ ...dependencies, ...devDependencies }).every(installed) ? 0 : 1);') && return 0
  log "installing $(basename "$1")/ npm packages (npm ci)"
  (cd "$1" && npm ci --no-audit --no-fund --loglevel=error)
}

# trunk, wasm-bindgen-cli of the locked version, and from e2e/ npm's binaryen (wasm-opt 132:
# Debian's binaryen 108 produces a broken wasm), terser, playwright-core, and for the host
# tests esbuild, @auth0/auth0-spa-js and axe-core.
# Node.js and npm: the e2e tests, the React host, the benchmark's peers and issuer.
ensure_node() {
  command -v npm >/dev/null || { log "installing Node.js (apt)"; apt_install nodejs npm; }
}

ensure_frontend_tools() {
  ensure_rust
  local wbg; wbg=$(wasm_bindgen_version)
  if ! trunk --version 2>/dev/null | grep -q "$TRUNK_VERSION"; then
    log "installing trunk $TRUNK_VERSION (cargo install, ~8 min once)"
    cargo install --locked trunk --version "$TRUNK_VERSION" --quiet
  fi
  if ! wasm-bindgen --version 2>/dev/null | grep -q "$wbg"; then
    log "installing wasm-bindgen-cli $wbg (cargo install, ~3 min once)"
    cargo install wasm-bindgen-cli --version "$wbg" --quiet
  fi
  ensure_node
  npm_ci_once "$ROOT/e2e"
  export PATH="$HOME/.cargo/bin:$ROOT/e2e/node_modules/.bin:$PATH"
  export TRUNK_SKIP_VERSION_CHECK=true
}

ensure_chromium() {
  if [ ! -x /usr/bin/chromium ] || ! command -v chromedriver >/dev/null; then
    log "installing chromium and chromium-driver (apt)"
    apt_install chromium chromium-driver
  fi
}

# Builds the micro-frontend's two bundles into dist/ (release profile, wasm-opt -Os): the
# standalone page from index.html, then the element bundle for host pages from element.html
# (mfe.js, mfe_bg.wasm). trunk empties its dist directory on each build, so the element
# bundle is built beside it and copied in, its JS glue minified with terser on the way
# (trunk's own minifier cannot parse wasm-bindgen's output). Both bundles import the same
# snippets (the custom element's class, from the same crate), which the standalone page's
# index.html pins by hash: they are checked to be identical, not overwritten. Then the hosts'
# type declarations are copied in, and scripts/finish-bundle.mjs names what the entry points
# (mfe.js, index.html) load after its content and precompresses everything (brotli, gzip).
build_mfe() {
  ensure_frontend_tools
  check_wasm_bindgen_pin
  log "building the micro-frontend (trunk build --release: standalone page, element bundle)"
  rm -rf "$ROOT/dist" "$ROOT/target/element"
  # pipefail: a failed trunk fails the step (sed only drops trunk's blank lines).
  (set -o pipefail; cd "$ROOT" && trunk build --release --quiet --dist dist 2>&1 | sed '/^$/d')
  (set -o pipefail; cd "$ROOT" && trunk build --release --quiet element.html --dist target/element 2>&1 | sed '/^$/d')
  local f
  for f in dist/index.html dist/standalone.js dist/standalone_bg.wasm target/element/mfe.js target/element/mfe_bg.wasm; do
    [ -f "$ROOT/$f" ] || { echo "trunk build did not produce $f" >&2; return 1; }
  done
  cp "$ROOT/target/element/mfe_bg.wasm" "$ROOT/dist/"
  terser "$ROOT/target/element/mfe.js" --module --compress --mangle --output "$ROOT/dist/mfe.js"
  for f in $(cd "$ROOT/target/element" && find snippets -type f 2>/dev/null); do
    [ -f "$ROOT/dist/$f" ] || { mkdir -p "$(dirname "$ROOT/dist/$f")"; cp "$ROOT/target/element/$f" "$ROOT/dist/$f"; }
    cmp -s "$ROOT/target/element/$f" "$ROOT/dist/$f" || { echo "the bundles' $f differ" >&2; return 1; }
  done
  cp "$ROOT/mfe/household-mfe.d.ts" "$ROOT/dist/"
  node "$ROOT/scripts/finish-bundle.mjs" "$ROOT/dist"
}

# The React host of hosts/react: its npm packages, its type check (tsc --noEmit, against
# mfe/household-mfe.d.ts) and its build into hosts/react/dist (esbuild).
build_react_host() {
  npm_ci_once "$ROOT/hosts/react"
  log "hosts/react: tsc --noEmit, then the esbuild bundle"
  (cd "$ROOT/hosts/react" && node_modules/.bin/tsc --noEmit -p . && node build.mjs)
}

# Starts `server dev` ($SERVER_BIN, default the debug build in $TARGET_DIR) on a free loopback port with its own throwaway
# database, and exports E2E_BASE_URL; E2E_HOST_ORIGIN: another site (localhost, another
# port) that the stack's CORS_ALLOWED_ORIGINS admits, for the cross-origin host tests; and
# E2E_SITE_ORIGIN: another origin of the API's site (127.0.0.1, another port). The hosts'
# callback URLs on both go to the development issuer (DEV_IDP_CALLBACK_URLS), which gets a
# free port of its own. It serves dist/ (DEV_STACK_MFE_DIST: another directory). Stop it with
# stop_dev_stack.
start_dev_stack() {
  local port; port=$(free_port)
  export E2E_HOST_ORIGIN="http://localhost:$(free_port)"
  export E2E_SITE_ORIGIN="http://127.0.0.1:$(free_port)"
  local callbacks="$E2E_HOST_ORIGIN/,$E2E_HOST_ORIGIN/callback,$E2E_SITE_ORIGIN/"
  mkdir -p "$ROOT/target/e2e"
  (cd "$ROOT" && BIND_ADDR="127.0.0.1:$port" DEV_IDP_BIND_ADDR="127.0.0.1:$(free_port)" MFE_DIST="${DEV_STACK_MFE_DIST:-$ROOT/dist}" RUST_LOG=warn CORS_ALLOWED_ORIGINS="$E2E_HOST_ORIGIN" \
    DEV_IDP_CALLBACK_URLS="$callbacks" \
    exec "${SERVER_BIN:-$TARGET_DIR/debug/server}" dev >"$ROOT/target/e2e/server.log" 2>&1) &
  DEV_STACK_PID=$!
  export E2E_BASE_URL="http://127.0.0.1:$port"
  for _ in $(seq 120); do
    curl -sf "$E2E_BASE_URL/readyz" >/dev/null && { log "server dev on $E2E_BASE_URL"; return 0; }
    kill -0 "$DEV_STACK_PID" 2>/dev/null || break
    sleep 0.5
  done
  cat "$ROOT/target/e2e/server.log" >&2
  return 1
}

stop_dev_stack() {
  [ -n "${DEV_STACK_PID:-}" ] || return 0
  kill -TERM "$DEV_STACK_PID" 2>/dev/null || true
  wait "$DEV_STACK_PID" 2>/dev/null || true
  DEV_STACK_PID=""
}
