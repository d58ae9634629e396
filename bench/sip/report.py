"""Helpers of bench/sip-load.sh.

  report.py snapshot FILE KAM_PID UAS_PID JAVA_PID PG_MATCH CP_PID TARGET
      CPU ticks (utime+stime, plus reaped children where the root process reaps them) per process
      group, and the machine's busy/total ticks from /proc/stat, as JSON.
  report.py report RUN_DIR T_START T_END KAMAILIO_LOG LOG_OFFSET
      the run's figures from SIPp's files (stat.csv, errors.log, *_rtt.csv, uac-cpu-ticks), the two
      CPU snapshots, the control plane's /metrics before/after and Kamailio's log.
"""
import glob, json, os, re, sys
from collections import Counter

TCK = os.sysconf("SC_CLK_TCK")


def proc_stat(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            s = f.read()
    except OSError:
        return None
    comm = s[s.index("(") + 1:s.rindex(")")]
    rest = s[s.rindex(")") + 2:].split()
    # rest[0] = field 3 (state); ppid field 4; utime 14, stime 15, cutime 16, cstime 17
    return {"comm": comm, "ppid": int(rest[1]), "self": int(rest[11]) + int(rest[12]),
            "children": int(rest[13]) + int(rest[14])}


def cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def all_procs():
    procs = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            st = proc_stat(int(d))
            if st:
                procs[int(d)] = st
    return procs


def tree(procs, root):
    out = {root} if root in procs else set()
    grew = True
    while grew:
        grew = False
        for pid, st in procs.items():
            if pid not in out and st["ppid"] in out:
                out.add(pid)
                grew = True
    return out


def group_ticks(procs, root, reaps=True):
    pids = tree(procs, root)
    t = sum(procs[p]["self"] for p in pids)
    if reaps and root in procs:
        t += procs[root]["children"]
    return t, len(pids)


def snapshot(path, kam, uas, java, pg_match, cp, target):
    procs = all_procs()
    groups = {}
    groups["kamailio"] = group_ticks(procs, int(kam))
    groups["sipp_uas"] = group_ticks(procs, int(uas))
    if target == "standin":
        groups["standin"] = group_ticks(procs, int(cp))
    else:
        groups["edgeplane_jvm"] = (procs[int(java)]["self"], 1) if int(java) in procs else (0, 0)
        masters = [p for p, st in procs.items() if st["comm"] == "postgres"
                   and procs.get(st["ppid"], {}).get("comm") != "postgres" and pg_match in cmdline(p)]
        t, n = 0, 0
        for m in masters:
            a, b = group_ticks(procs, m)
            t, n = t + a, n + b
        groups["postgresql"] = (t, n)
    with open("/proc/stat") as f:
        cpu = [int(x) for x in f.readline().split()[1:]]
    idle = cpu[3] + cpu[4]
    kam_pids = {str(p): procs[p]["self"] for p in tree(procs, int(kam))}
    json.dump({"groups": groups, "machine_total": sum(cpu[:8]), "machine_idle": idle, "kamailio_pids": kam_pids},
              open(path, "w"))


def pct(sorted_vals, q):
    if not sorted_vals:
        return float("nan")
    i = min(len(sorted_vals) - 1, max(0, int(round(q / 100.0 * len(sorted_vals) + 0.5)) - 1))
    return sorted_vals[i]


def fmt_ms(v):
    return "-" if v != v else (f"{v:.1f}" if v < 100 else f"{v:.0f}")


def last_stat(run):
    path = os.path.join(run, "stat.csv")
    if not os.path.exists(path):
        return {}
    lines = [l.strip() for l in open(path) if l.strip()]
    head = lines[0].split(";")
    return dict(zip(head, lines[-1].split(";")))


def metrics_routes(path):
    """{(name, method, route): {count, sum (seconds), b: {le: cumulative count}}} from Edgeplane's Prometheus text."""
    out = {}
    if not os.path.exists(path):
        return out
    for line in open(path):
        if line.startswith("#"):
            continue
        m = re.match(r'(edgeplane_http_[a-z_]*?)(_count|_sum|_bucket)?\{([^}]*)\} (\S+)', line)
        if not m:
            continue
        labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(3)))
        route = labels.get("route") or labels.get("path") or labels.get("pattern")
        if not route:
            continue
        key = (m.group(1), labels.get("method", ""), route)
        e = out.setdefault(key, {"count": None, "sum": None, "b": {}})
        if m.group(2) == "_count":
            e["count"] = float(m.group(4))
        elif m.group(2) == "_sum":
            e["sum"] = float(m.group(4))
        elif m.group(2) == "_bucket" and "le" in labels:
            e["b"][float(labels["le"])] = float(m.group(4))
    return out


def bucket_quantile(q, buckets):
    """histogram_quantile() over {le: cumulative count}: linear within the bucket, as Prometheus does."""
    les = sorted(buckets)
    if not les or buckets[les[-1]] <= 0:
        return float("nan")
    rank = q * buckets[les[-1]]
    lower, below = 0.0, 0.0
    for le in les:
        if buckets[le] >= rank:
            if le == float("inf"):
                return lower
            return lower + (le - lower) * ((rank - below) / (buckets[le] - below) if buckets[le] > below else 0)
        lower, below = le, buckets[le]
    return lower


def report(run, t_start, t_end, kam_log, offset):
    t_start, t_end = float(t_start), float(t_end)
    st = last_stat(run)
    def n(k):
        try:
            return int(float(st.get(k, "0") or 0))
        except ValueError:
            return 0
    offered = n("OutgoingCall(C)") or n("TotalCallCreated")
    ok = n("SuccessfulCall(C)")
    failed = n("FailedCall(C)")
    print(f"offered {offered}  completed {ok} ({100.0 * ok / offered if offered else 0:.2f} %)  failed {failed}"
          f"  retransmissions {n('Retransmissions(C)')}  wall {t_end - t_start:.1f} s")

    # Failures by cause: SIPp logs one line per aborted call.
    causes = Counter()
    err = os.path.join(run, "errors.log")
    if os.path.exists(err):
        for line in open(err, errors="replace"):
            m = re.search(r"while expecting '(\w+)' \(index (\d+)\), received 'SIP/2.0 (\d{3})", line)
            if m:
                stage = "INVITE" if int(m.group(2)) <= 4 else ("late reply" if int(m.group(2)) == 6 else "BYE")
                causes[f"{stage} {m.group(3)}"] += 1
                continue
            if re.search(r"while pausing \(index \d+\), received 'SIP/2.0 18\d", line):
                # Kamailio relays replies from several processes: a 180 can trail the 200. SIPp's caller then aborts; a harness artifact, counted apart.
                causes["18x after the 200 (reordered; SIPp aborts)"] += 1
                continue
            m = re.search(r"timeout on message .*?:(\d+) ", line)
            if m:
                stage = "INVITE final" if int(m.group(1)) <= 4 else "BYE 200"
                causes[f"no {stage} within --recv-timeout-ms"] += 1
                continue
            if "retransmission" in line.lower():
                causes["UDP retransmission limit"] += 1
            elif "Aborting call" in line:
                causes["other abort"] += 1
    if causes:
        print("failed by cause: " + ", ".join(f"{k}: {v}" for k, v in causes.most_common()))

    # INVITE -> 200 (RTD 1), every call.
    rtts = []
    for f in glob.glob(os.path.join(run, "*_rtt.csv")):
        for line in open(f):
            parts = line.strip().split(";")
            if len(parts) >= 2:
                try:
                    rtts.append((float(parts[0]), float(parts[1])))
                except ValueError:
                    pass
    if rtts:
        vals = sorted(v for _, v in rtts)
        print(f"INVITE->200 ms (n={len(vals)}): p50 {fmt_ms(pct(vals, 50))}  p90 {fmt_ms(pct(vals, 90))}"
              f"  p99 {fmt_ms(pct(vals, 99))}  p99.9 {fmt_ms(pct(vals, 99.9))}  max {fmt_ms(vals[-1])}")
        rtts.sort()
        t0 = rtts[0][0]
        windows = {}
        for t, v in rtts:
            windows.setdefault(int((t - t0) / 5000), []).append(v)
        print("  per 5 s of the run (200s received, p50 / p99 / max ms): " + "  ".join(
            f"[{w * 5}-{w * 5 + 5}s] {len(vs)}: {fmt_ms(pct(sorted(vs), 50))}/{fmt_ms(pct(sorted(vs), 99))}/{fmt_ms(max(vs))}"
            for w, vs in sorted(windows.items())))

    # CPU per process group.
    try:
        a = json.load(open(os.path.join(run, "cpu-before.json")))
        b = json.load(open(os.path.join(run, "cpu-after.json")))
        wall = t_end - t_start
        parts = []
        ours = 0
        for g in b["groups"]:
            d = (b["groups"][g][0] - a["groups"].get(g, [0])[0]) / TCK
            ours += d
            parts.append(f"{g} {d:.1f}")
        uac = 0.0
        if os.path.exists(os.path.join(run, "uac-cpu-ticks")):
            uac = int(open(os.path.join(run, "uac-cpu-ticks")).read().strip() or 0) / TCK
            ours += uac
            parts.append(f"sipp_uac {uac:.1f}")
        busy = ((b["machine_total"] - b["machine_idle"]) - (a["machine_total"] - a["machine_idle"])) / TCK
        parts.append(f"rest of machine {max(0.0, busy - ours):.1f}")
        print(f"CPU seconds over {wall:.1f} s wall (2 cores = {2 * wall:.0f} CPU-s; machine busy {busy:.1f}): " + ", ".join(parts))
        # Kamailio by process kind (kamcmd core.psx: "udp receiver", "ASYNC WORKER", "slow timer", ...)
        kinds = {}
        psx = os.path.join(os.path.dirname(run), "kamailio-ps.txt")
        if os.path.exists(psx):
            pid = None
            for line in open(psx):
                m = re.match(r"\s*PID:\s*(\d+)", line)
                if m:
                    pid = m.group(1)
                m = re.match(r"\s*DSC:\s*(.*)", line)
                if m and pid:
                    kinds[pid] = re.sub(r"\s*\d+\s*$", "", re.sub(r"(rank|child|#)\s*\d+.*$", "", m.group(1).strip()))
        by_kind = Counter()
        for pid, t in b.get("kamailio_pids", {}).items():
            by_kind[kinds.get(pid, "other")] += (t - a.get("kamailio_pids", {}).get(pid, 0)) / TCK
        if by_kind:
            print("  kamailio by process: " + ", ".join(f"{k} {v:.1f}" for k, v in by_kind.most_common(6)))
    except (OSError, ValueError, KeyError):
        pass

    # Control plane's own service time per endpoint (Edgeplane's /metrics).
    before = metrics_routes(os.path.join(run, "metrics-before.txt"))
    after = metrics_routes(os.path.join(run, "metrics-after.txt"))
    for key, e in sorted(after.items()):
        if e["count"] is None or not any(r in key[2] for r in ("/route", "/presence/event", "/auth")):
            continue
        c0 = (before.get(key) or {}).get("count") or 0
        s0 = (before.get(key) or {}).get("sum") or 0
        dc = e["count"] - c0
        if dc <= 0:
            continue
        mean = ((e["sum"] or 0) - s0) / dc * 1000 if e["sum"] is not None else float("nan")
        b0 = (before.get(key) or {}).get("b") or {}
        run_buckets = {le: n - b0.get(le, 0) for le, n in e["b"].items()}
        qs = " ".join(f"p{int(q * 100)}={bucket_quantile(q, run_buckets) * 1000:.2f}ms" for q in (0.5, 0.99)) if run_buckets else ""
        print(f"edgeplane {key[1]} {key[2]}: {dc:.0f} requests this run, mean {mean:.2f} ms; {key[0]} {qs}")

    # Connections to the control plane during the run.
    conns = os.path.join(run, "conns.txt")
    if os.path.exists(conns):
        est = tw = 0
        for line in open(conns):
            m1 = re.search(r"(\d+) ESTAB", line)
            m2 = re.search(r"(\d+) TIME-WAIT", line)
            est = max(est, int(m1.group(1)) if m1 else 0)
            tw = max(tw, int(m2.group(1)) if m2 else 0)
        print(f"control-plane TCP sockets (both ends, per 1 s sample): max ESTAB {est}, max TIME-WAIT {tw}")

    # Kamailio's complaints during the run.
    with open(kam_log, "rb") as f:
        f.seek(int(offset))
        text = f.read().decode(errors="replace")
    kc = Counter()
    for line in text.splitlines():
        m = re.search(r"POST (/\S+) failed: code=(-?\d+)", line)
        if m:
            kc[f"POST {m.group(1)} failed code={m.group(2)}"] += 1
        elif "cannot hand" in line:
            kc["async task not queued"] += 1
        elif " ERROR:" in line or "CRITICAL" in line:
            kc[re.sub(r"^.*?(ERROR|CRITICAL): *", r"\1: ", line)[:110]] += 1
    if kc:
        print("kamailio log: " + "; ".join(f"{k} x{v}" for k, v in kc.most_common(8)))


if __name__ == "__main__":
    if sys.argv[1] == "snapshot":
        snapshot(*sys.argv[2:9])
    else:
        report(*sys.argv[2:7])
