"""Mock of Edgeplane's control plane for the Kamailio smoke test (SPEC-control-plane.md shapes):
/auth verifies MD5 digests for two fixed devices, /route answers a fixed rtjson per dialled number,
/presence/event answers 204. Every request is appended as one JSON line to the log file.

usage: mock_control_plane.py PORT LOGFILE   (binds 127.0.0.1 only)
"""
import hashlib, json, sys, threading
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
from urllib.parse import parse_qs

PASSWORDS = {("1001", "acme.sip.io"): "s3cret", ("1002", "acme.sip.io"): "pw1002"}
LOG = open(sys.argv[2], "a", buffering=1)
LOCK = threading.Lock()

def md5(s):
    return hashlib.md5(s.encode()).hexdigest()

ROUTES = {
    "1002": {"action": "proxy", "account_id": "acc_1", "version": "1.0", "routing": "serial",
             "routes": [{"uri": "sip:1002@acme.sip.io", "dst_uri": "sip:127.0.0.1:5071",
                         "headers": {"extra": "X-Account-Id: acc_1\r\n"}}]},
    "12025550100": {"action": "outbound", "account_id": "acc_1", "version": "1.0", "routing": "serial",
             "routes": [{"uri": "sip:12025550100@127.0.0.1:5072", "dst_uri": "sip:127.0.0.1:5072",
                         "headers": {"extra": "X-Account-Id: acc_1\r\nX-Try: 1\r\n"}, "fr_inv_timer": 3000},
                        {"uri": "sip:12025550100@127.0.0.1:5071", "dst_uri": "sip:127.0.0.1:5071",
                         "headers": {"extra": "X-Account-Id: acc_1\r\nX-Try: 2\r\n"}}]},
    "12025550123": {"action": "flow", "account_id": "acc_1", "flow_id": "flow_1", "vars": {"caller_cid": "14155551234"}},
    "12025559999": {"action": "reject", "code": 503, "reason": "Maximum Calls In Progress"},
}

class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a):
        pass
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(n).decode()
        f = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
        with LOCK:
            LOG.write(json.dumps({"path": self.path, "ctype": self.headers.get("Content-Type"), "form": f}) + "\n")
        if self.path == "/auth":
            pw = PASSWORDS.get((f.get("username"), f.get("realm")))
            if pw is None:
                return self.reply(200, {"status": "fail", "message": "unknown user", "blacklist": 0})
            ha1 = md5(f"{f['username']}:{f['realm']}:{pw}")
            ha2 = md5(f"{f['method']}:{f['uri']}")
            if f.get("qop"):
                exp = md5(f"{ha1}:{f['nonce']}:{f['nc']}:{f['cnonce']}:{f['qop']}:{ha2}")
            else:
                exp = md5(f"{ha1}:{f['nonce']}:{ha2}")
            if exp != f.get("response"):
                bl = 60 if f.get("username") == "1002" else 0
                return self.reply(200, {"status": "fail", "message": "invalid credentials", "blacklist": bl})
            body = {"status": "ok", "account_id": "acc_1", "device_id": "dev_1", "username": f["username"], "domain": f["realm"]}
            if f.get("wantHa1") == "1":
                body["ha1"] = ha1
            return self.reply(200, body)
        if self.path == "/route":
            rt = ROUTES.get(f.get("to", "").lstrip("+"), {"action": "reject", "code": 404, "reason": "Not Found"})
            return self.reply(200, {"rtjson": rt})
        if self.path == "/presence/event":
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.reply(404, {"error": {"code": "not_found"}})
    def reply(self, code, obj):
        b = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(b)))
        self.end_headers()
        self.wfile.write(b)

ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
