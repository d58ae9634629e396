#!/usr/bin/env bash
# bench/compare.sh — same-run comparison of Edgeplane's /route against its two references
# (docs/PERFORMANCE.md, "References in the same run"):
#   * the ceiling: the bare Netty reference server (`edgeplane reference-server`, constant answer);
#   * the peer: bench/peers/fastify-route, the same /route + /presence/event logic on Fastify
#     (in-memory state only: no journal, no PostgreSQL — the comparison favours it).
#
# Usage: bench/compare.sh [--quick] [--no-build] [--write | --no-write] [--help]
#   --quick     smoke run: DURATION=5 RUNS=1; does not touch bench/RESULTS.md unless --write
#   --no-build  use the existing tools/target/edgeplane.jar (default: mvn package -pl tools -am)
#   --write     write the section into bench/RESULTS.md (default for a full run)
#   --no-write  only print it (and leave it in the run's temporary directory)
# Environment (defaults): DURATION (20) measured seconds per load run, RUNS (3) saturation runs per
#   server (the median is reported), WARMUP (5) unmeasured seconds before each run, SERVER_WARMUP (60)
#   unmeasured seconds of load right after each server starts (JIT warm-up),
#   SAT_CONNECTIONS (64), LAT_CONNECTIONS (32), ACCOUNTS (100) accounts in the generated
#   configuration, REF_PORT (9000), CONTROL_PLANE_PORT (3000), TELAPI_PORT (3001), PEER_PORT (3100),
#   MAX_SECONDS (computed) hard limit for the whole script, KEEP_TMP=1 keeps the temporary directory.
#
# Steps: build once; generate a configuration (`edgeplane config generate --accounts 100`); then, one
# server at a time, each pinned to core 0 with `taskset -c 0` (when taskset exists and there are at
# least 2 cores) and the load tool (`edgeplane load`) pinned to core 1:
#   1. reference-server --io-threads 1           ← load --scenario bare, saturation, RUNS times
#   2. Edgeplane serve (control-plane,telapi; EDGEPLANE_IO_THREADS=1; its own data dir with embedded
#      PostgreSQL, which inherits the pinning) ← load --scenario route, saturation, RUNS times; then
#      fixed-rate latency runs of route and auth at 25/50/75/90 % of the median route saturation
#   3. the Fastify peer (same configuration)    ← load --scenario route, saturation, RUNS times
# Saturation = closed loop (--rate 0) over SAT_CONNECTIONS keep-alive connections. The route scenario
# sends, per call, POST /route then POST /presence/event dialog terminated on the same connection; the
# rate and the /route figures count /route, "HTTP req/s" counts both requests.
# Finally a markdown section between <!-- compare:begin --> and <!-- compare:end --> is printed and
# (full runs) written into bench/RESULTS.md, replacing the previous one.
#
# Only loopback addresses are targeted. Every process the script starts is stopped on exit (trap).
# Needs: JDK 17+, Maven (unless --no-build), Node 20+ with npm, curl.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'; }

quick=0
build=1
write=""
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    --no-build) build=0 ;;
    --write) write=1 ;;
    --no-write) write=0 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "compare.sh: unknown option $arg (see --help)" >&2; exit 2 ;;
  esac
done
if [ "$quick" = 1 ]; then
  DURATION=5
  RUNS=1
fi
DURATION="${DURATION:-20}"
RUNS="${RUNS:-3}"
WARMUP="${WARMUP:-5}"
SERVER_WARMUP="${SERVER_WARMUP:-60}"
SAT_CONNECTIONS="${SAT_CONNECTIONS:-64}"
LAT_CONNECTIONS="${LAT_CONNECTIONS:-32}"
ACCOUNTS="${ACCOUNTS:-100}"
REF_PORT="${REF_PORT:-9000}"
CONTROL_PLANE_PORT="${CONTROL_PLANE_PORT:-3000}"
TELAPI_PORT="${TELAPI_PORT:-3001}"
PEER_PORT="${PEER_PORT:-3100}"
[ -n "$write" ] || write=$((1 - quick))
for v in DURATION RUNS WARMUP SERVER_WARMUP SAT_CONNECTIONS LAT_CONNECTIONS ACCOUNTS; do
  [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || { echo "compare.sh: $v must be a positive integer" >&2; exit 2; }
done
# Load runs: 3 saturation series + 8 latency runs, each DURATION + WARMUP plus start-up slack; plus
# builds, server start-ups and shutdowns.
run_budget=$((DURATION + WARMUP + 60))
MAX_SECONDS="${MAX_SECONDS:-$(( (3 * RUNS + 8) * (DURATION + WARMUP + 15) + 3 * (SERVER_WARMUP + 240) + (build ? 900 : 0) ))}"

jar="tools/target/edgeplane.jar"
peer_dir="bench/peers/fastify-route"
results="bench/RESULTS.md"
jvm_server=(@perf-config/jvm/chronicle.options @perf-config/jvm/default.options)
jvm_load=(@perf-config/jvm/chronicle.options)
command_line="bench/compare.sh${*:+ $*}"
[ "$quick" = 1 ] || command_line="DURATION=$DURATION RUNS=$RUNS $command_line"

log() { printf '[compare %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

tmp="$(mktemp -d "${TMPDIR:-/tmp}/edgeplane-compare.XXXXXX")"
pids=()
watchdog=""

stop_pid() {
  # Stop one server we started: SIGTERM, up to 30 s for a graceful stop (Edgeplane stops its embedded
  # PostgreSQL), then SIGKILL its process group (setsid made it a group leader).
  local pid="$1" i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 300); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "pid $pid did not stop in 30 s: SIGKILL to its process group"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  local pid
  for pid in "${pids[@]}"; do stop_pid "$pid"; done
  [ -z "$watchdog" ] || kill -- "-$watchdog" 2>/dev/null || true
  if [ "$status" -ne 0 ] || [ "${KEEP_TMP:-0}" = 1 ]; then
    log "kept $tmp (logs in $tmp/logs)"
  else
    rm -rf "$tmp"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

# Hard limit for the whole script: the watchdog (its own process group, so cleanup can stop it and its
# sleep) sends SIGTERM to this shell, whose trap cleans up once the current step (itself bounded) ends.
setsid bash -c 'sleep "$1" && echo "[compare] time limit of $1 s reached" >&2 && kill -TERM "$2"' watchdog \
  "$MAX_SECONDS" "$$" &
watchdog=$!

mkdir -p "$tmp/logs" "$tmp/json"

# ------------------------------------------------------------------------------------------ checks

for tool in java curl node npm; do
  command -v "$tool" >/dev/null || die "$tool is required"
done
cores="$(nproc)"
if command -v taskset >/dev/null && [ "$cores" -ge 2 ]; then
  server_pin=(taskset -c 0)
  load_pin=(taskset -c 1)
  pinning="each server pinned to core 0 (\`taskset -c 0\`, its child processes such as the embedded PostgreSQL inherit it), the load tool to core 1 (\`taskset -c 1\`)"
else
  server_pin=()
  load_pin=()
  pinning="no pinning ($(command -v taskset >/dev/null && echo "only $cores core(s)" || echo "taskset not found")): servers and load tool share every core"
fi
log "$pinning"

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in "$REF_PORT" "$CONTROL_PLANE_PORT" "$TELAPI_PORT" "$PEER_PORT"; do
  port_in_use "$p" && die "port $p on 127.0.0.1 is already in use (set REF_PORT, CONTROL_PLANE_PORT, TELAPI_PORT, PEER_PORT)"
done

# ------------------------------------------------------------------------------------------- build

if [ "$build" = 1 ]; then
  log "building: mvn -B -ntp -q -DskipTests package -pl tools -am"
  timeout 900 mvn -B -ntp -q -DskipTests package -pl tools -am >"$tmp/logs/build.log" 2>&1 \
    || { tail -40 "$tmp/logs/build.log" >&2; die "build failed (log above)"; }
fi
[ -f "$jar" ] && [ -d tools/target/lib ] || die "$jar (and tools/target/lib) missing: run without --no-build"
# Run from a private copy, so another build of tools/target during the run cannot swap jars under the JVMs.
mkdir -p "$tmp/dist"
cp -r "$jar" tools/target/lib "$tmp/dist/"
jar="$tmp/dist/edgeplane.jar"
if [ ! -d "$peer_dir/node_modules" ]; then
  log "installing the Fastify peer's dependencies (npm ci)"
  ( cd "$peer_dir" && timeout 300 npm ci --no-audit --no-fund ) >"$tmp/logs/npm.log" 2>&1 \
    || ( cd "$peer_dir" && timeout 300 npm install --no-audit --no-fund ) >>"$tmp/logs/npm.log" 2>&1 \
    || { tail -20 "$tmp/logs/npm.log" >&2; die "npm install failed"; }
fi

# ---------------------------------------------------------------------------------- configuration

config="$tmp/bench-config.json"
log "generating the configuration: edgeplane config generate --accounts $ACCOUNTS"
timeout 120 java "${jvm_load[@]}" -jar "$jar" config generate --accounts "$ACCOUNTS" --out "$config" \
  >"$tmp/logs/config.log" 2>&1 || { cat "$tmp/logs/config.log" >&2; die "config generate failed"; }
admin_token="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"

# The journal fsync policy Edgeplane runs with: EDGEPLANE_JOURNAL_FSYNC when set here, else the built
# default (read from the persistence jar's bytecode, since --no-build may run an older build).
if [ -n "${EDGEPLANE_JOURNAL_FSYNC:-}" ]; then
  fsync_policy="\`EDGEPLANE_JOURNAL_FSYNC=$EDGEPLANE_JOURNAL_FSYNC\` (set for this run)"
else
  built_default="$(javap -c -p -cp "$(ls "$tmp"/dist/lib/persistence-*.jar 2>/dev/null | head -1)" \
    dev.edgeplane.persistence.JournalSettings 2>/dev/null | grep -B1 'putstatic.*FSYNC_DEFAULT' \
    | sed -n 's/.*FsyncPolicy\.\([A-Z]*\).*/\1/p' | head -1 | tr 'A-Z' 'a-z' || true)"
  fsync_policy="\`EDGEPLANE_JOURNAL_FSYNC\` unset: the build's default, \`${built_default:-unknown}\`"
fi

# ----------------------------------------------------------------------------------------- helpers

server_data=""

start_server() {
  # start_server NAME COMMAND...: in the background, in its own process group, output to logs/NAME.log.
  # (Set server_data to its data directory first when it starts an embedded PostgreSQL there.)
  local name="$1"
  shift
  setsid "$@" >"$tmp/logs/$name.log" 2>&1 &
  server_pid=$!
  pids+=("$server_pid")
}

stop_server() {
  stop_pid "$server_pid"
  local kept=() pid
  for pid in "${pids[@]}"; do [ "$pid" = "$server_pid" ] || kept+=("$pid"); done
  pids=("${kept[@]+"${kept[@]}"}")
}

wait_ready() {
  # wait_ready NAME URL SECONDS: until URL answers 2xx (curl -f) or the server dies or time runs out.
  local name="$1" url="$2" limit="$3" i
  for i in $(seq 1 $((limit * 4))); do
    curl -sf -o /dev/null --max-time 2 "$url" && return 0
    kill -0 "$server_pid" 2>/dev/null || { tail -30 "$tmp/logs/$name.log" >&2; die "$name exited during start-up"; }
    sleep 0.25
  done
  tail -30 "$tmp/logs/$name.log" >&2
  die "$name not ready at $url after $limit s"
}

jq_field() {
  # jq_field FILE EXPRESSION: evaluate a JavaScript expression over the JSON summary `j`.
  node -e 'const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); const v = eval(process.argv[2]); process.stdout.write(v === undefined || v === null ? "" : String(v));' "$1" "$2"
}

clk_tck="$(getconf CLK_TCK 2>/dev/null || echo 100)"

server_ticks() {
  # server_ticks SID [DATA_DIR]: CPU ticks (user + system) of every live process in session SID (the
  # server) plus, with DATA_DIR, the PostgreSQL it started there (pg_ctl daemonizes the postmaster out
  # of the server's session, so it is found by its data directory, its backends by their parent):
  # everything that runs on the server's core for it.
  local sid="$1" dir="${2:-}" pg="" f
  if [ -n "$dir" ]; then
    pg="$(pgrep -f -- "$dir/pg" | tr '\n' ' ')"
  fi
  for f in /proc/[0-9]*/stat; do cat "$f" 2>/dev/null && echo; done \
    | awk -v s="$sid" -v pg=" $pg " '{
        pid = $1; line = $0; sub(/.*\) /, "", line); split(line, v, " ")
        if (v[4] == s || index(pg, " " pid " ") || index(pg, " " v[2] " ")) t += v[12] + v[13]
      } END { print t + 0 }'
}

jit_ticks() {
  # jit_ticks PID: CPU ticks of the JVM's JIT compiler threads.
  cat /proc/"$1"/task/*/stat 2>/dev/null | awk '/\(C[12] CompilerThre/ { sub(/.*\) /, ""); t += $12 + $13 } END { print t + 0 }'
}

sample_cpu() {
  # sample_cpu OUT: after the warm-up, CPU ticks of the server's session and of its JIT threads over
  # the measured window; writes "session_ticks jit_ticks seconds" to OUT.
  local out="$1" a j b k
  sleep $((WARMUP + 2))
  a="$(server_ticks "$server_pid" "$server_data")"; j="$(jit_ticks "$server_pid")"
  sleep $((DURATION - 3))
  b="$(server_ticks "$server_pid" "$server_data")"; k="$(jit_ticks "$server_pid")"
  echo "$((b - a)) $((k - j)) $((DURATION - 3))" >"$out"
}

cpu_per_request() {
  # cpu_per_request LABEL: microseconds of server-session CPU per primary request in run LABEL.
  local label="$1" ticks seconds rate
  read -r ticks _ seconds <"$tmp/json/$label.cpu" || { echo n/a; return; }
  rate="$(jq_field "$tmp/json/$label.json" 'j.achieved_rate')"
  awk -v t="$ticks" -v hz="$clk_tck" -v s="$seconds" -v r="$rate" 'BEGIN { if (r > 0 && s > 0) printf "%.1f", t / hz * 1e6 / (r * s); else printf "n/a" }'
}

jit_share() {
  # jit_share LABEL: JIT compiler CPU as a percentage of one core during run LABEL's window.
  local label="$1" jit seconds
  read -r _ jit seconds <"$tmp/json/$label.cpu" || { echo n/a; return; }
  awk -v t="$jit" -v hz="$clk_tck" -v s="$seconds" 'BEGIN { if (s > 0) printf "%.2f", 100 * t / hz / s; else printf "n/a" }'
}

run_load() {
  # run_load LABEL URL SCENARIO RATE CONNECTIONS: one load run, summary in json/LABEL.json, the
  # server's CPU over the measured window in json/LABEL.cpu.
  local label="$1" url="$2" scenario="$3" rate="$4" connections="$5" status=0
  local out="$tmp/json/$label.json"
  log "load $label: --scenario $scenario --rate $rate --connections $connections --duration $DURATION --warmup $WARMUP ($url)"
  sample_cpu "$tmp/json/$label.cpu" &
  local sampler=$!
  timeout "$run_budget" "${load_pin[@]}" java "${jvm_load[@]}" -jar "$jar" load --url "$url" --scenario "$scenario" \
    --rate "$rate" --connections "$connections" --duration "$DURATION" --warmup "$WARMUP" --config "$config" \
    --admin-token "$admin_token" --json "$out" >"$tmp/logs/load-$label.log" 2>&1 || status=$?
  wait "$sampler" 2>/dev/null || true
  # Exit status 1 means some requests failed: recorded in the summary and reported, not fatal.
  if [ "$status" -gt 1 ] || [ ! -s "$out" ]; then
    tail -30 "$tmp/logs/load-$label.log" >&2
    die "load $label failed (exit $status)"
  fi
  log "  → $(jq_field "$out" 'j.endpoints[0].name + " " + j.achieved_rate + " req/s, errors " + JSON.stringify(j.errors_by_status) + ", p99 " + (j.endpoints[0].latency_us.p99 / 1000).toFixed(2) + " ms"')"
}

median() {
  # median NUMBER...: the middle value (mean of the two middle ones for an even count).
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) printf "%.1f", v[(NR + 1) / 2]; else printf "%.1f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

warm_server() {
  # warm_server LABEL URL SCENARIO: one unmeasured closed-loop run of SERVER_WARMUP seconds right after
  # start-up, so the measured runs see a JIT-compiled server (each JIT, the JVM's and V8's, needs it).
  local label="$1" url="$2" scenario="$3"
  log "warming $label up: --scenario $scenario for $SERVER_WARMUP s (not measured)"
  timeout $((SERVER_WARMUP + 60)) "${load_pin[@]}" java "${jvm_load[@]}" -jar "$jar" load --url "$url" --scenario "$scenario" \
    --rate 0 --connections "$SAT_CONNECTIONS" --duration "$SERVER_WARMUP" --warmup 0 --config "$config" \
    --admin-token "$admin_token" >"$tmp/logs/warmup-$label.log" 2>&1 || true
}

saturation() {
  # saturation LABEL URL SCENARIO: RUNS closed-loop runs; sets sat_route (primary req/s, median),
  # sat_http (all endpoints req/s, median), sat_runs (each run's primary req/s), sat_errors.
  local label="$1" url="$2" scenario="$3" r primary=() http=() cpu=() jit=() errors=0
  for r in $(seq 1 "$RUNS"); do
    run_load "$label-sat-$r" "$url" "$scenario" 0 "$SAT_CONNECTIONS"
    local f="$tmp/json/$label-sat-$r.json"
    cpu+=("$(cpu_per_request "$label-sat-$r")")
    jit+=("$(jit_share "$label-sat-$r")")
    primary+=("$(jq_field "$f" 'j.achieved_rate')")
    http+=("$(jq_field "$f" 'j.endpoints.reduce((s, e) => s + e.achieved_rate, 0).toFixed(1)')")
    errors=$((errors + $(jq_field "$f" 'j.errors')))
  done
  sat_route="$(median "${primary[@]}")"
  sat_http="$(median "${http[@]}")"
  sat_runs="$(printf '%s, ' "${primary[@]}")"
  sat_runs="${sat_runs%, }"
  sat_errors="$errors"
  sat_cpu="$(median "${cpu[@]}")"
  sat_jit="$(median "${jit[@]}")"
  sat_decisions="$(jq_field "$tmp/json/$label-sat-1.json" 'j.route_decisions && Object.entries(j.route_decisions).map(([k, v]) => k + " " + (100 * v / j.count).toFixed(1) + " %").join(", ")')"
}

# ------------------------------------------------------------------------------------------- runs

started_at="$(date -u)"
load_before="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"

# (a) the bare Netty reference server
start_server reference "${server_pin[@]}" java "${jvm_server[@]}" -jar "$jar" reference-server --port "$REF_PORT" --io-threads 1
ref_url="http://127.0.0.1:$REF_PORT"
for i in $(seq 1 240); do
  code="$(curl -s -o /dev/null --max-time 2 -w '%{http_code}' "$ref_url/" || true)"
  [ "$code" != "000" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$tmp/logs/reference.log" >&2; die "reference server exited"; }
  sleep 0.25
done
[ "$code" != "000" ] || die "reference server not ready"
warm_server reference "$ref_url" bare
saturation reference "$ref_url" bare
ref_rate="$sat_route"; ref_runs="$sat_runs"; ref_errors="$sat_errors"; ref_cpu="$sat_cpu"
stop_server

# (b) Edgeplane
server_data="$tmp/data"
start_server edgeplane env EDGEPLANE_DATA_DIR="$tmp/data" ADMIN_TOKEN="$admin_token" EDGEPLANE_IO_THREADS=1 \
  EDGEPLANE_SURFACES=control-plane,telapi CONTROL_PLANE_PORT="$CONTROL_PLANE_PORT" TELAPI_PORT="$TELAPI_PORT" \
  "${server_pin[@]}" java "${jvm_server[@]}" -jar "$jar" serve --seed-config "$config"
wait_ready edgeplane "http://127.0.0.1:$TELAPI_PORT/health" 180
ep_url="http://127.0.0.1:$CONTROL_PLANE_PORT"
warm_server edgeplane "$ep_url" route
saturation edgeplane "$ep_url" route
ep_rate="$sat_route"; ep_http="$sat_http"; ep_runs="$sat_runs"; ep_errors="$sat_errors"; ep_decisions="$sat_decisions"
ep_cpu="$sat_cpu"; ep_jit="$sat_jit"
server_data=""

# Fixed-rate latency runs at fractions of Edgeplane's /route saturation (auth at the same absolute rates).
percents=(25 50 75 90)
for pct in "${percents[@]}"; do
  rate="$(awk -v s="$ep_rate" -v p="$pct" 'BEGIN { r = int(s * p / 100 + 0.5); print (r < 1 ? 1 : r) }')"
  for scenario in route auth; do
    run_load "edgeplane-$scenario-$pct" "$ep_url" "$scenario" "$rate" "$LAT_CONNECTIONS"
  done
done
stop_server

# (c) the Fastify peer, same configuration
start_server fastify env PORT="$PEER_PORT" HOST=127.0.0.1 EDGEPLANE_CONFIG="$config" \
  "${server_pin[@]}" node "$peer_dir/server.js"
wait_ready fastify "http://127.0.0.1:$PEER_PORT/health" 60
warm_server fastify "http://127.0.0.1:$PEER_PORT" route
saturation fastify "http://127.0.0.1:$PEER_PORT" route
peer_rate="$sat_route"; peer_http="$sat_http"; peer_runs="$sat_runs"; peer_errors="$sat_errors"; peer_decisions="$sat_decisions"
peer_cpu="$sat_cpu"
stop_server

# ------------------------------------------------------------------------------------------ report

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "n/a" }'; }
verdict() { awk -v v="$1" -v t="$2" 'BEGIN { print (v != "n/a" && v + 0 >= t + 0) ? "met" : "not met" }'; }
ms() { awk -v us="$1" 'BEGIN { printf "%.3f", us / 1000 }'; }

load_after="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
ratio_ref="$(ratio "$ep_http" "$ref_rate")"
ratio_ref_route="$(ratio "$ep_rate" "$ref_rate")"
ratio_peer="$(ratio "$ep_rate" "$peer_rate")"
jdk="$(java -version 2>&1 | head -1)"
node_version="$(node --version)"
fastify_version="$(node -p 'require("./'"$peer_dir"'/node_modules/fastify/package.json").version')"
cpu="$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)"

section="$tmp/section.md"
{
  echo "<!-- compare:begin -->"
  echo "## Same-run comparison"
  echo
  echo "\`bench/compare.sh\`: Edgeplane \`/route\` against the bare Netty reference server (the ceiling) and the"
  echo "Fastify peer \`bench/peers/fastify-route\` (the same routing logic, in-memory only), one server at a"
  echo "time, measured with \`edgeplane load\` in the same run. Written by the script; a new run replaces it."
  echo
  echo "* Machine: $cores cores (\`nproc\`), ${cpu:-unknown CPU} (\`lscpu\`)."
  echo "* JDK: $jdk. Servers: \`java @perf-config/jvm/chronicle.options @perf-config/jvm/default.options\`; load tool: \`java @perf-config/jvm/chronicle.options\`."
  echo "* Node: $node_version, Fastify $fastify_version (logger off)."
  echo "* Date: $started_at."
  echo "* Pinning: $pinning."
  echo "* Machine load (\`/proc/loadavg\` 1/5/15 min) at the start: $load_before; at the end: $load_after (other work on a shared machine shows here and skews the absolute figures; the ratios are taken within this run)."
  echo "* Command: \`$command_line\` (each server first gets ${SERVER_WARMUP} s of unmeasured closed-loop load; each load run: ${WARMUP} s warm-up, then ${DURATION} s measured)."
  echo "* Configuration: \`edgeplane config generate --accounts $ACCOUNTS\` (defaults otherwise: 10 devices and 10 DIDs per account, half the DIDs to a flow, half to devices, trunks +1 and +44, \`max_channels\` 1000000), the same file for Edgeplane and the peer."
  echo "* Servers: reference \`reference-server --io-threads 1\`; Edgeplane \`serve\` with \`EDGEPLANE_IO_THREADS=1\`, \`EDGEPLANE_SURFACES=control-plane,telapi\`, a fresh data directory and embedded PostgreSQL; every answer waits for its journal append, fsync policy $fsync_policy (\`batch\` also waits for the group-commit fsync); Fastify peer: one Node process, state in memory only (no journal, no PostgreSQL)."
  echo
  echo "### Saturation"
  echo
  echo "Closed loop, $SAT_CONNECTIONS keep-alive connections, one request in flight each; median of $RUNS run(s). The route"
  echo "scenario sends \`POST /route\` (half inbound to a DID, half device → PSTN) then \`POST /presence/event\`"
  echo "dialog terminated per call on the same connection: \`/route\` req/s counts calls, HTTP req/s both requests."
  echo
  echo "CPU per request: user + system CPU of the server's whole session (the JVM or Node process and, for"
  echo "Edgeplane, its embedded PostgreSQL) over the measured window, from \`/proc\`, divided by the /route calls"
  echo "(GET requests for the reference) answered in it: the figure a noisy machine does not blur."
  echo
  echo "| server | scenario | median /route req/s | median HTTP req/s | CPU µs per /route call (median) | runs (/route or GET req/s) | errors |"
  echo "|---|---|---:|---:|---:|---|---:|"
  echo "| reference (bare Netty) | bare \`GET /\` | – | $ref_rate | $ref_cpu (per GET) | $ref_runs | $ref_errors |"
  echo "| Edgeplane | route | $ep_rate | $ep_http | $ep_cpu | $ep_runs | $ep_errors |"
  echo "| Fastify peer | route | $peer_rate | $peer_http | $peer_cpu | $peer_runs | $peer_errors |"
  echo
  echo "JIT compiler threads of the Edgeplane JVM during the measured saturation windows (median): $ep_jit % of a core (target < 1 %)."
  echo
  echo "\`/route\` answers in the first saturation run (same configuration, so both servers should show the same mix):"
  echo "Edgeplane: ${ep_decisions:-n/a}; Fastify peer: ${peer_decisions:-n/a}."
  echo
  echo "| ratio | value | target | |"
  echo "|---|---:|---:|---|"
  echo "| Edgeplane / reference (HTTP req/s, both route-scenario requests counted) | $ratio_ref | ≥ 0.6 | $(verdict "$ratio_ref" 0.6) |"
  echo "| Edgeplane / reference (\`/route\` req/s only, for information) | $ratio_ref_route | – | |"
  echo "| Edgeplane / Fastify (\`/route\` req/s) | $ratio_peer | ≥ 2.0 | $(verdict "$ratio_peer" 2.0) |"
  echo
  echo "### Latency at fixed rates (Edgeplane)"
  echo
  echo "Open loop, $LAT_CONNECTIONS connections, latency from the intended send time (coordinated omission corrected),"
  echo "at 25/50/75/90 % of Edgeplane's median \`/route\` saturation ($ep_rate req/s); \`/auth\` (correct digests, fresh"
  echo "nonces) at the same absolute rates. Targets at 50 %: p99 ≤ 1 ms and p99.9 ≤ 5 ms."
  echo
  echo "| endpoint | load | target req/s | achieved req/s | p50 ms | p99 ms | p99.9 ms | max ms | errors | target at 50 % |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
  for scenario in route auth; do
    for pct in "${percents[@]}"; do
      f="$tmp/json/edgeplane-$scenario-$pct.json"
      p99="$(jq_field "$f" 'j.endpoints[0].latency_us.p99')"
      p999="$(jq_field "$f" 'j.endpoints[0].latency_us.p99_9')"
      mark=""
      if [ "$pct" = 50 ]; then
        if [ "$p99" -le 1000 ] && [ "$p999" -le 5000 ]; then mark="met"; else mark="not met"; fi
      fi
      printf '| `POST /%s` | %s %% | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$scenario" "$pct" \
        "$(jq_field "$f" 'Math.round(j.target_rate)')" "$(jq_field "$f" 'j.achieved_rate')" \
        "$(ms "$(jq_field "$f" 'j.endpoints[0].latency_us.p50')")" "$(ms "$p99")" "$(ms "$p999")" \
        "$(ms "$(jq_field "$f" 'j.endpoints[0].latency_us.max')")" "$(jq_field "$f" 'j.errors')" "$mark"
    done
  done
  echo
  echo "Reading the numbers: the peer keeps calls, registrations and CAC counters in a JavaScript \`Map\` and"
  echo "answers at once; Edgeplane answers each \`/route\` and each dialog event only after appending it to its"
  echo "journal, keeps calls in off-heap stores, and writes traces and call records behind to PostgreSQL, which"
  echo "shares the server's core here. The reference answers a constant and parses no body."
  echo "<!-- compare:end -->"
} >"$section"

echo
cat "$section"
echo

if [ "$write" = 1 ]; then
  new="$tmp/RESULTS.md"
  if grep -q '^<!-- compare:begin -->$' "$results"; then
    awk -v section="$section" '
      /^<!-- compare:begin -->$/ { while ((getline line < section) > 0) print line; skip = 1; next }
      /^<!-- compare:end -->$/ { skip = 0; next }
      !skip { print }' "$results" >"$new"
  else
    { cat "$results"; echo; cat "$section"; } >"$new"
  fi
  cat "$new" >"$results"
  log "wrote the section into $results"
else
  log "not written into $results (--quick or --no-write); the section is above"
fi
log "done in $SECONDS s"
