# Sourced by scripts/bench/run and scripts/bench/profile (after scripts/lib.sh, with $OUT set):
# the benchmark's throwaway database, its stand-in Auth0 issuer, and the implementations it
# starts. Loopback only.
PIDS=()
declare -A URL PID
stop_all() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done; PIDS=(); }
cleanup() { stop_all; stop_throwaway_postgres; }
wait_for() { for _ in $(seq 150); do curl -sf "$1" >/dev/null && return; sleep 0.2; done; echo "$1: no answer" >&2; return 1; }

# bench_stack <households> <vehicles per household> <fuel logs> <pool size>: the release
# server built; a throwaway cluster with the `bench` database migrated and seeded; internal
# tokens in $OUT/tokens.txt, and the stand-in issuer (scripts/bench/peers/express/issuer.mjs:
# RS256 key, discovery, JWKS) with one Auth0 access token per household in
# $OUT/auth0-tokens.txt. Exports what every implementation reads (DATABASE_URL, AUTH0_*, …);
# sets ADMIN (the superuser URL without a database) and APP_URL.
bench_stack() {
  local households=$1 vehicles=$2 logs=$3 pool=$4 issuer_port
  log "building the release server"
  cargo build --release -p server --bin server --example mint_tokens --quiet
  start_throwaway_postgres
  trap cleanup EXIT
  ADMIN="${TEST_ADMIN_DATABASE_URL%/postgres}"
  psql -q "$TEST_ADMIN_DATABASE_URL" -c "CREATE DATABASE bench"
  openssl rand -base64 32 >"$OUT/context.key"
  export DATABASE_CONTEXT_KEY_FILE="$OUT/context.key"
  MIGRATION_DATABASE_URL="$ADMIN/bench" "$TARGET_DIR/release/server" migrate >/dev/null
  log "seeding $households households × $vehicles vehicles and $logs fuel logs"
  psql -q -v ON_ERROR_STOP=1 -v households="$households" -v vehicles="$vehicles" -v logs="$logs" "$ADMIN/bench" \
    -f scripts/bench/seed.sql
  APP_URL="${ADMIN/postgres@/household_app@}/bench"
  ensure_node
  (cd scripts/bench/peers/express && npm ci --no-audit --no-fund --loglevel=error)
  INTERNAL_JWT_KEY_FILE="$OUT/internal.pem" "$TARGET_DIR/release/examples/mint_tokens" "$households" > "$OUT/tokens.txt"
  issuer_port=$(free_port)
  AUTH0_AUDIENCE=bench AUTH0_CLIENT_ID=bench-spa \
    node scripts/bench/peers/express/issuer.mjs "$issuer_port" "$households" "$OUT/auth0-tokens.txt" >/dev/null & PIDS+=($!)
  # Each implementation's own settings are its defaults, with the same pool size.
  export DATABASE_URL="$APP_URL" DATABASE_POOL_SIZE="$pool" AUTH0_ISSUER="http://127.0.0.1:$issuer_port/" \
    AUTH0_AUDIENCE=bench AUTH0_CLIENT_ID=bench-spa INTERNAL_JWT_KEY_FILE="$OUT/internal.pem" RUST_LOG=error
  wait_for "${AUTH0_ISSUER}.well-known/jwks.json"
}

# start <name> <health path> <command…>: on a free port (BIND_ADDR), its log in $OUT;
# URL[name] and PID[name] once it answers <health path>.
start() {
  local name=$1 health=$2 port; port=$(free_port); shift 2
  BIND_ADDR="127.0.0.1:$port" "$@" >"$OUT/$name.log" 2>&1 & PIDS+=($!); PID[$name]=$!
  URL[$name]="http://127.0.0.1:$port"
  wait_for "${URL[$name]}$health" || { cat "$OUT/$name.log" >&2; return 1; }
}

# The release server, its rate limits lifted: one loopback client with one subject would
# otherwise meet them within the first second.
start_server() {
  local unlimited=1000000/1000000
  RATE_LIMIT_EXCHANGE_PER_IP=$unlimited RATE_LIMIT_EXCHANGE_PER_USER=$unlimited RATE_LIMIT_DATA_PER_USER=$unlimited \
    RATE_LIMIT_REQUESTS_PER_IP=$unlimited start server /readyz "$TARGET_DIR/release/server" serve
}
