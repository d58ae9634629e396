#!/usr/bin/env bash
# Reproduces every measurement in bench/RESULTS.md in one go (about 30 minutes on 2 cores):
#   1. the same-run comparison (bare Netty reference, Edgeplane /route and /auth, the Fastify peer),
#   2. the JMH suite with the GC profiler (allocation per operation),
#   3. the 1 M-session scale run (heap cap 256 MiB),
#   4. the write-behind run (50 000 events/s into PostgreSQL).
# Output goes to bench/out/<date>/; bench/compare.sh also rewrites its section of RESULTS.md.
# Only loopback addresses are used. Run from anywhere; needs JDK 17+, Maven, node/npm for the peer.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
out="bench/out/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
echo "== building" >&2
mvn -B -ntp -q -DskipTests package -pl tools,bench -am
echo "== same-run comparison (bench/compare.sh)" >&2
bench/compare.sh --no-build 2>&1 | tee "$out/compare.txt"
echo "== JMH suite" >&2
java -jar bench/target/benchmarks.jar -f 1 -wi 3 -w 1s -i 5 -r 1s -prof gc 2>&1 | tee "$out/jmh.txt"
echo "== scale run: 1 M sessions" >&2
scale="$(mktemp -d)"
java @perf-config/jvm/chronicle.options -Xmx256m -XX:+UseG1GC -cp bench/target/benchmarks.jar \
  dev.edgeplane.bench.ScaleRun 1000000 "$scale" 2>&1 | grep -v '^ts=' | tee "$out/scale.txt"
rm -rf "$scale"
echo "== write-behind run" >&2
java @perf-config/jvm/chronicle.options -cp bench/target/benchmarks.jar \
  dev.edgeplane.bench.WriteBehindRun 50000 20 batch 2>&1 | grep -v '^ts=' | tee "$out/write-behind.txt"
echo "results in $out (copy the figures into bench/RESULTS.md with machine, JDK, command and date)" >&2
