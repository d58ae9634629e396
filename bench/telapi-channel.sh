#!/usr/bin/env bash
# TelAPI channel WebSocket benchmark (bench/RESULTS.md, "TelAPI channel WebSocket fan-out"):
# starts the gateway alone (embedded PostgreSQL in a temporary data directory, ARI_URL pointing at the
# benchmark's ARI emulator), then `edgeplane channel-bench`, then stops the gateway.
# usage: bench/telapi-channel.sh [SOCKETS=10000] [CHANNELS=2000] [RATE=2000] [DURATION=20]
set -uo pipefail
cd "$(dirname "$0")/.."
sockets=${1:-10000}; channels=${2:-2000}; rate=${3:-2000}; duration=${4:-20}
ulimit -n "$(ulimit -Hn)"   # 10 000 browser sockets need as many descriptors in each process
echo "ulimit -n $(ulimit -n)"
[ -f tools/target/edgeplane.jar ] || mvn -B -ntp -q -DskipTests -pl tools -am package
export JWT_SECRET=bench-secret-0123456789abcdef
data="$(mktemp -d)"
EDGEPLANE_DATA_DIR="$data" EDGEPLANE_SURFACES=telapi ARI_URL=http://127.0.0.1:18088 OTEL_ENABLED=false \
  DOMAIN_TELPRO=telpro.example.com TELAPI_PORT=13001 LOG_LEVEL=WARN \
  java @perf-config/jvm/chronicle.options @perf-config/jvm/default.options -jar tools/target/edgeplane.jar serve \
  > "$data/server.log" 2>&1 &
server=$!
for _ in $(seq 1 120); do curl -s -o /dev/null localhost:13001/health && break; sleep 0.5; done
java -Xmx1g -jar tools/target/edgeplane.jar channel-bench --url ws://127.0.0.1:13001 --ari-port 18088 \
  --sockets "$sockets" --channels "$channels" --rate "$rate" --warmup 5 --duration "$duration"
rc=$?
echo "gateway RSS: $(ps -o rss= -p $server) KiB"
kill $server; wait $server
rm -rf "$data"
exit $rc
