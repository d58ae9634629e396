#!/usr/bin/env bash
# bench/sip-load.sh — real SIP load through the project's Kamailio configuration (issue 16):
#   SIPp UAC (carrier) --INVITE to a DID--> Kamailio (perf-config/kamailio/kamailio.cfg)
#       --POST /route, /presence/event--> Edgeplane (or the minimal stand-in)
#       --relay (action flow)--> SIPp UAS (media engine: 180, 200, BYE answered)
# and reports, per run: offered, completed, failed by SIP code (and timeouts), INVITE -> 200
# percentiles (SIPp -trace_rtt), the control plane's own per-endpoint service time (/metrics,
# Edgeplane only), CPU seconds per process group from /proc (Edgeplane, its PostgreSQL, Kamailio,
# SIPp, the stand-in, the rest of the machine) and the HTTP connections Kamailio opened.
#
# Usage: bench/sip-load.sh [options]      (on the shared machine: flock /tmp/edgeplane-build.lock bash bench/sip-load.sh ...)
#   --target edgeplane|standin  control plane under test (default edgeplane)
#   --start                     start a fresh Edgeplane (own data dir and embedded PostgreSQL, the demo
#                               configuration with max_channels raised, control-plane surface only) right
#                               before the first run, so run 1 is a cold start; stopped at the end.
#                               Without it, --url must point at a running Edgeplane whose account for the
#                               DID has enough channels (CAC rejects the rest with 503).
#   --url URL                   Edgeplane control-plane base URL (default http://127.0.0.1:3300 with
#                               --start, else http://127.0.0.1:3000)
#   --rate R[,R2,...]           calls per second offered (default 400); a list runs once per rate, in order,
#                               against the same processes (e.g. 400,500,600 to find where completion drops)
#   --duration S                seconds of offered load per run (default 15); calls = R * S
#   --runs N                    consecutive runs against the same processes (default 1; with --start run 1
#                               is cold, the next ones warm)
#   --hold-ms MS                call length between ACK and BYE (default 1000)
#   --did NUMBER                dialled DID (default +12025550123, a flow in examples/demo-config.json)
#   --recv-timeout-ms MS        a call waiting this long for a message is a failure "timeout" (default 10000)
#   --kamailio NAME=VALUE       extra -A override for kamailio.cfg (repeatable), e.g.
#                               'CALL_WORKERS_GROUP="name=calls;workers=16;nonblock=0;usleep=0"'
#   --kamailio-cfg FILE         another Kamailio configuration (default perf-config/kamailio/kamailio.cfg)
#   --java-opts "..."           extra JVM options for --start
#   --out DIR                   keep everything here (default: a new directory under /tmp)
# Needs kamailio (+ kamailio-utils-modules, kamailio-extra-modules), sipp (Debian sip-tester), python3,
# curl, and for --start a built tools/target/edgeplane.jar and JDK 17. Missing Debian packages are
# installed with apt-get (said on stderr) when running as root; otherwise the script stops.
# Ports (loopback only): Kamailio 5160, SIPp UAC 5170, UAS 5180, stand-in 3900, --start 3300-3303.
# Every process the script starts is stopped on exit.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'; }

target=edgeplane; start=0; url=""; rate=400; duration=15; runs=1; hold=1000
did="+12025550123"; recv_timeout=10000; out=""; java_opts=""; kam_args=(); kam_cfg="$root/perf-config/kamailio/kamailio.cfg"
while [ $# -gt 0 ]; do
  case "$1" in
    --target) target="$2"; shift ;;
    --start) start=1 ;;
    --url) url="$2"; shift ;;
    --rate) rate="$2"; shift ;;
    --duration) duration="$2"; shift ;;
    --runs) runs="$2"; shift ;;
    --hold-ms) hold="$2"; shift ;;
    --did) did="$2"; shift ;;
    --recv-timeout-ms) recv_timeout="$2"; shift ;;
    --kamailio) kam_args+=(-A "$2"); shift ;;
    --kamailio-cfg) kam_cfg="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"; shift ;;
    --java-opts) java_opts="$2"; shift ;;
    --out) out="$2"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "sip-load.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
case "$target" in edgeplane|standin) ;; *) echo "sip-load.sh: --target edgeplane|standin" >&2; exit 2 ;; esac
rates="${rate//,/ }"
rate="${rates%% *}"
[ "$rates" = "$rate" ] || runs=$(wc -w <<< "$rates")
for r in $rates; do [[ "$r" =~ ^[1-9][0-9]*$ ]] || { echo "sip-load.sh: --rate must be positive integers" >&2; exit 2; }; done
for v in duration runs hold recv_timeout; do
  [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || { echo "sip-load.sh: --${v//_/-} must be a positive integer" >&2; exit 2; }
done

# ----- tools -----
need_pkgs=()
command -v kamailio >/dev/null || need_pkgs+=(kamailio)
[ -e /usr/lib/x86_64-linux-gnu/kamailio/modules/http_client.so ] || need_pkgs+=(kamailio-utils-modules)
[ -e /usr/lib/x86_64-linux-gnu/kamailio/modules/jansson.so ] || need_pkgs+=(kamailio-extra-modules)
command -v sipp >/dev/null || need_pkgs+=(sip-tester)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "sip-load.sh: missing Debian packages: ${need_pkgs[*]} (apt-get install them as root)" >&2; exit 1
  fi
  echo "sip-load.sh: installing missing Debian packages: ${need_pkgs[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need_pkgs[@]}" >&2
fi
for c in python3 curl; do command -v "$c" >/dev/null || { echo "sip-load.sh: $c is needed" >&2; exit 1; }; done

out="${out:-$(mktemp -d /tmp/sip-load.XXXXXX)}"
mkdir -p "$out"
sip="$root/bench/sip"
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ----- control plane -----
cp_pid=""
if [ "$target" = standin ]; then
  url="http://127.0.0.1:3900"
  python3 "$sip/standin.py" 3900 "$root/examples/demo-config.json" > "$out/standin.log" 2>&1 &
  cp_pid=$!; pids+=("$cp_pid")
elif [ "$start" = 1 ]; then
  url="${url:-http://127.0.0.1:3300}"
  jar="$root/tools/target/edgeplane.jar"
  [ -f "$jar" ] || { echo "sip-load.sh: $jar missing (mvn -B -ntp -q -DskipTests -pl tools -am package)" >&2; exit 1; }
  mkdir -p "$out/edgeplane/data"
  python3 - "$root/examples/demo-config.json" "$out/edgeplane/seed.json" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
for acc in doc["accounts"]:
    acc["max_channels"] = 1000000   # the load is about the SIP edge, not CAC
json.dump(doc, open(sys.argv[2], "w"))
EOF
else
  url="${url:-http://127.0.0.1:3000}"
fi

ready() { curl -s -o /dev/null -m 1 -w '%{http_code}' "$1/metrics" 2>/dev/null | grep -q '^200$' \
  || curl -s -o /dev/null -m 1 -w '%{http_code}' "$1/health" 2>/dev/null | grep -q '^200$'; }

# ----- Kamailio and the media engine (first, so that a --start run 1 measures the server, not them) -----
mkdir -p "$out/kamailio-run"
# 1 GiB of shared memory: transactions live there until their wait timer ends (5 s), and with 256 MB the
# stand-in's runs at 1400 calls/s ended in "out of mem" 500s from Kamailio itself (tm build_cell).
kamailio -f "$kam_cfg" -DD -E -m 1024 -M 16 -Y "$out/kamailio-run" -P "$out/kamailio.pid" \
  -A "EDGEPLANE_NODE1=\"edgeplane1=>$url\"" -A 'MEDIA_ENGINE="sip:127.0.0.1:5180"' \
  -A 'LISTEN_UDP=udp:127.0.0.1:5160' -A 'LISTEN_TCP=tcp:127.0.0.1:5160' -A 'TRUSTED_NETS="127.0.0.1/32"' \
  ${kam_args[@]+"${kam_args[@]}"} > "$out/kamailio.log" 2>&1 &
kam_pid=$!; pids+=("$kam_pid")
(cd "$out" && exec sipp -sf "$sip/uas.xml" -i 127.0.0.1 -p 5180 -nostdin -trace_err -error_file "$out/uas-errors.log" \
  -trace_screen -screen_file "$out/uas-screen.log" > "$out/uas.out" 2>&1) &
uas_pid=$!; pids+=("$uas_pid")
sleep 1.5
kill -0 "$kam_pid" 2>/dev/null || { echo "sip-load.sh: kamailio did not start:" >&2; tail -20 "$out/kamailio.log" >&2; exit 1; }

t_launch=""
if [ "$target" = edgeplane ] && [ "$start" = 1 ]; then
  port="${url##*:}"
  t_launch=$(date +%s.%N)
  # shellcheck disable=SC2086
  (cd "$out/edgeplane" && exec env EDGEPLANE_DATA_DIR="$out/edgeplane/data" EDGEPLANE_SEED_CONFIG="$out/edgeplane/seed.json" \
    EDGEPLANE_SURFACES="${EDGEPLANE_SURFACES:-control-plane}" CONTROL_PLANE_PORT="$port" TELAPI_PORT=$((port + 1)) \
    PORT=$((port + 2)) RELAY_PORT=$((port + 3)) \
    java @"$root/perf-config/jvm/chronicle.options" @"$root/perf-config/jvm/default.options" $java_opts \
    -jar "$root/tools/target/edgeplane.jar" serve > "$out/edgeplane.log" 2>&1) &
  cp_pid=$!; pids+=("$cp_pid")
fi
for _ in $(seq 1 1200); do
  ready "$url" && break
  if [ -n "$cp_pid" ] && ! kill -0 "$cp_pid" 2>/dev/null; then
    echo "sip-load.sh: control plane exited:" >&2; tail -20 "$out"/edgeplane.log "$out"/standin.log 2>/dev/null >&2; exit 1
  fi
  sleep 0.1
done
ready "$url" || { echo "sip-load.sh: $url does not answer" >&2; exit 1; }
t_ready=$(date +%s.%N)
[ -n "$t_launch" ] && echo "edgeplane: launch -> ready $(python3 -c "print(round($t_ready - $t_launch, 2))") s" | tee "$out/startup.txt"

kamcmd -s "unix:$out/kamailio-run/kamailio_ctl" core.psx > "$out/kamailio-ps.txt" 2>/dev/null || true

# The Java process serving $url and its PostgreSQL (by data directory with --start, else every postgres).
port="${url##*:}"
java_pid=$(ss -ltnpH "sport = :$port" 2>/dev/null | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2 || true)
pg_match="postgres"
[ "$start" = 1 ] && pg_match="$out/edgeplane/data"

# ----- runs -----
for run in $(seq 1 "$runs"); do
  [ "$rates" = "$rate" ] || rate=$(cut -d' ' -f"$run" <<< "$rates")
  calls=$((rate * duration))
  dir="$out/run-$run"; mkdir -p "$dir"
  [ "$target" = edgeplane ] && curl -s -m 5 "$url/metrics" > "$dir/metrics-before.txt" || true
  python3 "$sip/report.py" snapshot "$dir/cpu-before.json" "$kam_pid" "$uas_pid" "${java_pid:-0}" "$pg_match" "${cp_pid:-0}" "$target"
  ss -tanH "dport = :$port" > "$dir/conns-before.txt" 2>/dev/null || true
  kam_log_offset=$(stat -c %s "$out/kamailio.log")
  t_run=$(date +%s.%N)
  (cd "$dir" && sipp 127.0.0.1:5160 -sf "$sip/uac.xml" -s "$did" -i 127.0.0.1 -p 5170 -r "$rate" -m "$calls" -d "$hold" \
    -l 10000 -recv_timeout "$recv_timeout" -nostdin -trace_rtt -rtt_freq 200 -trace_stat -stf "$dir/stat.csv" -fd 1 \
    -trace_err -error_file "$dir/errors.log" -trace_screen -screen_file "$dir/screen.log" > "$dir/uac.out" 2>&1 || true
    # SIPp's CPU time: this subshell waited for it, so it is in the subshell's cutime/cstime.
    read -r stat < "/proc/$BASHPID/stat"; set -- ${stat##*)}; echo "$((${14} + ${15}))" > "$dir/uac-cpu-ticks") &
  uac_pid=$!; pids+=("$uac_pid")
  # connections to the control plane while the load runs, every second
  while kill -0 "$uac_pid" 2>/dev/null; do
    { date +%s; ss -tanH "( dport = :$port or sport = :$port )" 2>/dev/null | awk '{print $1}' | sort | uniq -c | tr '\n' ' '; echo; } >> "$dir/conns.txt"
    [ "$target" = edgeplane ] && curl -s -m 2 "$url/metrics" > "$dir/metrics-$(date +%s).txt" 2>/dev/null || true
    sleep 1
  done
  wait "$uac_pid" || true
  t_end=$(date +%s.%N)
  python3 "$sip/report.py" snapshot "$dir/cpu-after.json" "$kam_pid" "$uas_pid" "${java_pid:-0}" "$pg_match" "${cp_pid:-0}" "$target"
  [ "$target" = edgeplane ] && curl -s -m 5 "$url/metrics" > "$dir/metrics-after.txt" || true
  echo "== run $run: $target, $rate calls/s x ${duration}s = $calls calls, hold ${hold} ms$([ "$run" = 1 ] && [ "$start" = 1 ] && echo ", cold (started $(python3 -c "print(round($t_run - $t_launch, 1))") s after launch)")"
  python3 "$sip/report.py" report "$dir" "$t_run" "$t_end" "$out/kamailio.log" "$kam_log_offset" | tee "$dir/report.txt"
done
echo "logs: $out"
