#!/usr/bin/env bash
# Runtime smoke test of ../kamailio.cfg on loopback: a mock control plane on 127.0.0.1:3900, Kamailio
# on 127.0.0.1:5090 (UDP/TCP), SIP endpoints on 5070-5072 and 5095. Needs kamailio (with the
# modules listed in ../README.md) and python3. Exit code 0 when every check passed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
status=0

run_mode()
{
    local mode="$1" trusted="$2" nodes="$3"
    : > "$work/cp-$mode.log"
    python3 "$here/mock_control_plane.py" 3900 "$work/cp-$mode.log" > "$work/mock-$mode.out" 2>&1 &
    local mock_pid=$!
    mkdir -p "$work/run-$mode"
    kamailio -f "$here/../kamailio.cfg" -DD -E -Y "$work/run-$mode" -P "$work/kamailio-$mode.pid" \
        $nodes \
        -A 'LISTEN_UDP=udp:127.0.0.1:5090' -A 'LISTEN_TCP=tcp:127.0.0.1:5090' \
        -A 'MEDIA_ENGINE="sip:127.0.0.1:5095"' -A "TRUSTED_NETS=\"$trusted\"" -A 'CALL_WORKERS_GROUP="name=calls;workers=2;nonblock=0;usleep=0"' -A EVENT_WORKERS=1 \
        > "$work/kamailio-$mode.out" 2>&1 &
    local kam_pid=$!
    sleep 2
    echo "== $mode"
    python3 "$here/sip_smoke.py" "$work/cp-$mode.log" "$mode" || status=1
    kill "$kam_pid" "$mock_pid" 2>/dev/null || true
    wait "$kam_pid" "$mock_pid" 2>/dev/null || true
    # (receive_fd EOF lines are the TCP main process noticing its children exit on shutdown.)
    if grep -E 'ERROR|CRITICAL' "$work/kamailio-$mode.out" | grep -v 'receive_fd(): EOF'; then
        echo "kamailio logged errors ($work/kamailio-$mode.out)"
        status=1
    fi
}

run_mode devices "10.255.255.0/24" "-A EDGEPLANE_NODE1=\"edgeplane1=>http://127.0.0.1:3900\""
# Failover: node 1 refuses connections (nothing listens on 3901), every request goes to node 2.
run_mode trusted "127.0.0.1/32" "-A EDGEPLANE_NODE1=\"edgeplane1=>http://127.0.0.1:3901\" -A EDGEPLANE_NODE2=\"edgeplane2=>http://127.0.0.1:3900\""
echo "logs: $work"
exit $status
