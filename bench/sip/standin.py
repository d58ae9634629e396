"""Minimal control-plane stand-in for bench/sip-load.sh: the comparison target for Edgeplane.

It answers Kamailio's three calls in Edgeplane's shapes (SPEC-control-plane.md) from a configuration
document (examples/demo-config.json), keeps nothing and journals nothing:

  POST /route           a DID whose target is a flow -> {"rtjson":{"action":"flow","account_id",
                        "flow_id","vars":{"caller_cid"}}}; anything else -> reject 404. No CAC, no
                        trace, no state: the same answer for every call.
  POST /auth            MD5 / SHA-256 digest checked against the document's device passwords
                        (wantHa1=1 adds ha1); no failure counting, no replay check, no bans.
  POST /presence/event  204, body ignored.
  GET  /health          200.

One asyncio event loop, HTTP/1.1 keep-alive, Content-Length bodies only (what libcurl sends).

usage: standin.py PORT CONFIG_JSON   (binds 127.0.0.1 only)
"""
import asyncio, hashlib, json, sys
from urllib.parse import parse_qs

PORT = int(sys.argv[1])
DOC = json.load(open(sys.argv[2]))

DIDS = {}
DEVICES = {}
for acc in DOC.get("accounts", []):
    for did in acc.get("dids", []):
        t = did.get("target", {})
        if t.get("type") == "flow":
            DIDS[did["number"].lstrip("+")] = (acc["id"], t["id"])
    for dev in acc.get("devices", []):
        if dev.get("enabled", True):
            DEVICES[(dev["username"], acc["domain"])] = (acc["id"], dev["id"], dev["password"])


def h(alg, s):
    return (hashlib.sha256 if alg.upper().startswith("SHA-256") else hashlib.md5)(s.encode()).hexdigest()


def route(f):
    did = f.get("to", "").lstrip("+")
    hit = DIDS.get(did)
    if hit is None:
        return 200, {"rtjson": {"action": "reject", "code": 404, "reason": "Not Found"}}
    caller = f.get("from", "").lstrip("+")
    return 200, {"rtjson": {"action": "flow", "account_id": hit[0], "flow_id": hit[1],
                            "vars": {"caller_cid": caller, "called_did": did}}}


def auth(f):
    dev = DEVICES.get((f.get("username"), f.get("realm")))
    if dev is None:
        return 200, {"status": "fail", "message": "unknown user", "blacklist": 0}
    alg = f.get("algorithm", "MD5")
    ha1 = h(alg, f"{f['username']}:{f['realm']}:{dev[2]}")
    ha2 = h(alg, f"{f.get('method', '')}:{f.get('uri', '')}")
    if f.get("qop"):
        exp = h(alg, f"{ha1}:{f.get('nonce', '')}:{f.get('nc', '')}:{f.get('cnonce', '')}:{f['qop']}:{ha2}")
    else:
        exp = h(alg, f"{ha1}:{f.get('nonce', '')}:{ha2}")
    if exp != f.get("response"):
        return 200, {"status": "fail", "message": "invalid credentials", "blacklist": 0}
    body = {"status": "ok", "account_id": dev[0], "device_id": dev[1], "username": f["username"],
            "domain": f["realm"]}
    if f.get("wantHa1") == "1":
        body["ha1"] = ha1
    return 200, body


REASONS = {200: "OK", 204: "No Content", 400: "Bad Request", 404: "Not Found"}


async def serve(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, path, _ = lines[0].split(" ", 2)
            length = 0
            close = False
            for line in lines[1:]:
                name, _, value = line.partition(":")
                name = name.strip().lower()
                if name == "content-length":
                    length = int(value.strip())
                elif name == "connection" and value.strip().lower() == "close":
                    close = True
            raw = await reader.readexactly(length) if length else b""
            f = {k: v[0] for k, v in parse_qs(raw.decode(), keep_blank_values=True).items()}
            if method == "POST" and path == "/route":
                code, obj = route(f)
            elif method == "POST" and path == "/auth":
                code, obj = auth(f)
            elif method == "POST" and path == "/presence/event":
                code, obj = 204, None
            elif path == "/health":
                code, obj = 200, {"status": "ok"}
            else:
                code, obj = 404, {"error": {"code": "not_found"}}
            body = b"" if obj is None else json.dumps(obj).encode()
            out = f"HTTP/1.1 {code} {REASONS[code]}\r\nContent-Length: {len(body)}\r\n"
            if body:
                out += "Content-Type: application/json\r\n"
            writer.write(out.encode() + b"\r\n" + body)
            await writer.drain()
            if close:
                break
    except (asyncio.IncompleteReadError, ConnectionError, ValueError):
        pass
    finally:
        writer.close()


async def main():
    server = await asyncio.start_server(serve, "127.0.0.1", PORT, backlog=1024)
    async with server:
        await server.serve_forever()

asyncio.run(main())
