"""SIP smoke test for ../kamailio.cfg: a UAC, callee UASes and a media engine on loopback UDP,
against a Kamailio on 127.0.0.1:5090 that talks to mock_control_plane.py. Run through run.sh.

usage: sip_smoke.py CONTROL_PLANE_LOG [devices|trusted]
  devices: 127.0.0.1 is not trusted: REGISTER/INVITE digest via /auth, proxy, reject, flow,
           outbound failover, CANCEL, ban (the ban must come last: it bans 127.0.0.1).
  trusted: 127.0.0.1 is in TRUSTED_NETS: an inbound DID call goes to /route without /auth.
"""
import hashlib, json, random, socket, sys, threading, time

KAM = ("127.0.0.1", 5090)
LOGFILE = sys.argv[1]
results = []

def rnd(n=10):
    return "".join(random.choice("0123456789abcdef") for _ in range(n))

def md5(s):
    return hashlib.md5(s.encode()).hexdigest()

class Msg:
    def __init__(self, raw):
        self.raw = raw
        head, _, self.body = raw.partition("\r\n\r\n")
        lines = head.split("\r\n")
        self.first = lines[0]
        self.headers = []
        for l in lines[1:]:
            k, _, v = l.partition(":")
            self.headers.append((k.strip(), v.strip()))
        p = self.first.split(" ")
        self.is_reply = p[0].startswith("SIP/")
        self.code = int(p[1]) if self.is_reply else 0
        self.method = None if self.is_reply else p[0]
    def hdr(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None
    def hdrs(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

class Sock:
    def __init__(self, port):
        self.port = port
        self.s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.s.bind(("127.0.0.1", port))
    def send(self, text, addr=KAM):
        self.s.sendto(text.encode(), addr)
    def recv(self, timeout=3.0):
        self.s.settimeout(timeout)
        try:
            data, addr = self.s.recvfrom(65535)
        except socket.timeout:
            return None
        m = Msg(data.decode())
        m.src = addr
        return m
    def final(self, timeout=5.0):
        """Next final reply, skipping provisionals (kept in self.prov)."""
        self.prov = []
        end = time.time() + timeout
        while time.time() < end:
            m = self.recv(end - time.time())
            if m is None:
                return None
            if m.is_reply and m.code < 200:
                self.prov.append(m)
                continue
            if m.is_reply:
                return m
        return None

def request(method, ruri, frm, to, callid, cseq, port, branch=None, extra=(), totag=None, ftag="ft"):
    branch = branch or "z9hG4bK" + rnd()
    to_h = f"<{to}>" + (f";tag={totag}" if totag else "")
    h = [f"{method} {ruri} SIP/2.0",
         f"Via: SIP/2.0/UDP 127.0.0.1:{port};branch={branch};rport",
         "Max-Forwards: 70",
         f"From: <{frm}>;tag={ftag}",
         f"To: {to_h}",
         f"Call-ID: {callid}",
         f"CSeq: {cseq} {method}"]
    h += list(extra)
    h += ["User-Agent: smoke/1", "Content-Length: 0", "", ""]
    return "\r\n".join(h), branch

def digest_header(name, user, pw, method, uri, chal):
    realm = chal.split('realm="')[1].split('"')[0]
    nonce = chal.split('nonce="')[1].split('"')[0]
    ha1 = md5(f"{user}:{realm}:{pw}")
    ha2 = md5(f"{method}:{uri}")
    cnonce = rnd(8)
    resp = md5(f"{ha1}:{nonce}:00000001:{cnonce}:auth:{ha2}")
    return (f'{name}: Digest username="{user}", realm="{realm}", nonce="{nonce}", uri="{uri}", '
            f'response="{resp}", algorithm=MD5, cnonce="{cnonce}", qop=auth, nc=00000001')

def reply_to(req, code, reason, totag=None, contact=None):
    h = [f"SIP/2.0 {code} {reason}"]
    for v in req.hdrs("Via"):
        h.append(f"Via: {v}")
    for v in req.hdrs("Record-Route"):
        h.append(f"Record-Route: {v}")
    h.append(f"From: {req.hdr('From')}")
    to = req.hdr("To")
    if totag and ";tag=" not in to:
        to += f";tag={totag}"
    h.append(f"To: {to}")
    h.append(f"Call-ID: {req.hdr('Call-ID')}")
    h.append(f"CSeq: {req.hdr('CSeq')}")
    if contact:
        h.append(f"Contact: <{contact}>")
    h += ["Content-Length: 0", "", ""]
    return "\r\n".join(h)

def via_addr(req):
    via = req.hdrs("Via")[0]
    hp = via.split(" ")[1].split(";")[0]
    host, _, port = hp.partition(":")
    return (host, int(port or 5060))

class UAS(threading.Thread):
    """Answers INVITEs with a fixed behaviour: 'answer' (180+200), 'busy' (486), 'fail' (503), 'ring' (180 only)."""
    def __init__(self, port, behaviour):
        super().__init__(daemon=True)
        self.sock = Sock(port)
        self.port = port
        self.behaviour = behaviour
        self.seen = []
        self.invites = {}
        self.stop = False
    def run(self):
        while not self.stop:
            m = self.sock.recv(0.2)
            if m is None or m.is_reply:
                continue
            self.seen.append(m)
            dst = via_addr(m)
            tag = "uas" + str(self.port)
            contact = f"sip:uas@127.0.0.1:{self.port}"
            if m.method == "INVITE":
                self.invites[m.hdr("Call-ID")] = m
                b = self.behaviour
                if b == "answer":
                    self.sock.send(reply_to(m, 180, "Ringing", tag, contact), dst)
                    time.sleep(0.1)
                    self.sock.send(reply_to(m, 200, "OK", tag, contact), dst)
                elif b == "ring":
                    self.sock.send(reply_to(m, 180, "Ringing", tag, contact), dst)
                elif b == "busy":
                    self.sock.send(reply_to(m, 486, "Busy Here", tag), dst)
                else:
                    self.sock.send(reply_to(m, 503, "Service Unavailable", tag), dst)
            elif m.method in ("BYE",):
                self.sock.send(reply_to(m, 200, "OK", tag), dst)
            elif m.method == "CANCEL":
                self.sock.send(reply_to(m, 200, "OK", tag), dst)
                inv = self.invites.get(m.hdr("Call-ID"))
                if inv:
                    self.sock.send(reply_to(inv, 487, "Request Terminated", tag), dst)

def check(name, cond, detail=""):
    results.append((name, bool(cond)))
    print(("PASS " if cond else "FAIL ") + name + ("" if cond else "  " + str(detail)))

def events():
    with open(LOGFILE) as f:
        return [json.loads(l) for l in f if l.strip()]

def presence(callid):
    return [e["form"] for e in events() if e["path"] == "/presence/event" and e["form"].get("callId") == callid]

def ack_for(sock, inv_text_branch, callid, ruri, to_tag, cseq, port, ftag):
    msg, _ = request("ACK", ruri, "sip:1001@acme.sip.io", ruri, callid, cseq, port,
                     branch=inv_text_branch, totag=to_tag, ftag=ftag)
    sock.send(msg)

def authed_invite(sock, to_user, port, user="1001", pw="s3cret"):
    callid = "call-" + rnd()
    ftag = rnd(6)
    ruri = f"sip:{to_user}@acme.sip.io"
    contact = (f"Contact: <sip:{user}@127.0.0.1:{port}>",)
    msg, br = request("INVITE", ruri, f"sip:{user}@acme.sip.io", ruri, callid, 1, port, extra=contact, ftag=ftag)
    sock.send(msg)
    r = sock.final()
    if r is None or r.code != 407:
        return callid, ftag, r, None
    totag = r.hdr("To").split("tag=")[1]
    m, _ = request("ACK", ruri, f"sip:{user}@acme.sip.io", ruri, callid, 1, port, branch=br, totag=totag, ftag=ftag)
    sock.send(m)
    auth = digest_header("Proxy-Authorization", user, pw, "INVITE", ruri, r.hdr("Proxy-Authenticate"))
    msg, br2 = request("INVITE", ruri, f"sip:{user}@acme.sip.io", ruri, callid, 2, port, extra=contact + (auth,), ftag=ftag)
    sock.send(msg)
    r2 = sock.final(8.0)
    return callid, ftag, r2, br2

def in_dialog(sock, method, reply, callid, ftag, cseq, port, branch=None):
    """ACK/BYE along the route set of a 2xx."""
    target = reply.hdr("Contact").strip("<>")
    rr = reply.hdrs("Record-Route")
    routes = []
    for v in rr:
        routes += [x.strip() for x in v.split(",")]
    routes.reverse()
    extra = tuple(f"Route: {r}" for r in routes)
    totag = reply.hdr("To").split("tag=")[1]
    msg, br = request(method, target, "sip:1001@acme.sip.io", reply.hdr("To").split(";")[0].strip("<>"),
                      callid, cseq, port, branch=branch, extra=extra, totag=totag, ftag=ftag)
    sock.send(msg)
    return br

def trusted():
    ua = Sock(5070)
    media = UAS(5095, "busy"); media.start()
    callid = "did-" + rnd()
    ftag = rnd(6)
    ruri = "sip:+12025550123@127.0.0.1:5090"
    msg, br = request("INVITE", ruri, "sip:+14155551234@carrier.example", ruri, callid, 1, 5070,
                      extra=("Contact: <sip:+14155551234@127.0.0.1:5070>",), ftag=ftag)
    ua.send(msg)
    r = ua.final()
    check("trusted inbound INVITE -> flow -> media engine answer (486), no challenge", r and r.code == 486, r and r.first)
    if r:
        m, _ = request("ACK", ruri, "sip:+14155551234@carrier.example", ruri, callid, 1, 5070, branch=br,
                       totag=r.hdr("To").split("tag=")[1], ftag=ftag)
        ua.send(m)
    time.sleep(0.5)
    rt = [e["form"] for e in events() if e["path"] == "/route" and e["form"].get("callId") == callid]
    check("/route without authUser, to in E.164 with +",
          rt and "authUser" not in rt[-1] and rt[-1].get("to") == "+12025550123" and rt[-1].get("from") == "+14155551234", rt)
    check("no /auth for the trusted source", not [e for e in events() if e["path"] == "/auth"])
    states = [e.get("state") for e in presence(callid)]
    check("trusted call: terminated reported once", states == ["terminated"], states)
    finish()

def finish():
    failed = [n for n, ok in results if not ok]
    print(f"{len(results) - len(failed)}/{len(results)} checks passed")
    sys.exit(1 if failed else 0)

def main():
    ua = Sock(5070)
    callee = UAS(5071, "answer"); callee.start()
    trunk1 = UAS(5072, "fail"); trunk1.start()
    media = UAS(5095, "busy"); media.start()

    # 1. REGISTER: challenge, /auth, save, /presence/event register
    cid = "reg-" + rnd()
    msg, _ = request("REGISTER", "sip:acme.sip.io", "sip:1001@acme.sip.io", "sip:1001@acme.sip.io", cid, 1, 5070,
                     extra=("Contact: <sip:1001@127.0.0.1:5070>", "Expires: 120"))
    ua.send(msg)
    r = ua.final()
    check("REGISTER without credentials -> 401 with qop=auth", r and r.code == 401 and 'qop="auth"' in (r.hdr("WWW-Authenticate") or ""), r and r.first)
    auth = digest_header("Authorization", "1001", "s3cret", "REGISTER", "sip:acme.sip.io", r.hdr("WWW-Authenticate"))
    msg, _ = request("REGISTER", "sip:acme.sip.io", "sip:1001@acme.sip.io", "sip:1001@acme.sip.io", cid, 2, 5070,
                     extra=("Contact: <sip:1001@127.0.0.1:5070>", "Expires: 120", auth))
    ua.send(msg)
    r = ua.final()
    check("REGISTER with credentials -> 200", r and r.code == 200, r and r.raw)
    time.sleep(0.3)
    ev = events()
    a = [e for e in ev if e["path"] == "/auth"]
    check("/auth got form body with all digest fields and wantHa1=1",
          a and all(k in a[-1]["form"] for k in ("method", "realm", "username", "uri", "nonce", "response", "algorithm", "qop", "cnonce", "nc", "sourceIp"))
          and a[-1]["form"]["wantHa1"] == "1" and a[-1]["form"]["nc"] == "00000001" and a[-1]["form"]["qop"] == "auth"
          and "x-www-form-urlencoded" in (a[-1]["ctype"] or ""), a and a[-1])
    p = [e["form"] for e in ev if e["path"] == "/presence/event" and e["form"].get("type") == "register"]
    check("/presence/event register with contact, expires=120, userAgent",
          p and p[-1].get("contact") == "sip:1001@127.0.0.1:5070" and p[-1].get("expires") == "120"
          and p[-1].get("user") == "1001" and p[-1].get("domain") == "acme.sip.io" and p[-1].get("userAgent") == "smoke/1", p)

    # 1b. REGISTER from behind NAT: the reported contact is the source address, not the private one
    cid = "reg-" + rnd()
    nat = ("Contact: <sip:1001@192.168.1.10:5060>", "Expires: 60")
    msg, _ = request("REGISTER", "sip:acme.sip.io", "sip:1001@acme.sip.io", "sip:1001@acme.sip.io", cid, 1, 5070, extra=nat)
    ua.send(msg)
    r = ua.final()
    auth = digest_header("Authorization", "1001", "s3cret", "REGISTER", "sip:acme.sip.io", r.hdr("WWW-Authenticate"))
    msg, _ = request("REGISTER", "sip:acme.sip.io", "sip:1001@acme.sip.io", "sip:1001@acme.sip.io", cid, 2, 5070,
                     extra=nat + (auth,))
    ua.send(msg)
    r = ua.final()
    time.sleep(0.3)
    p = [e["form"] for e in events() if e["path"] == "/presence/event" and e["form"].get("type") == "register"]
    check("NAT'd REGISTER -> 200, contact reported at the source address",
          r and r.code == 200 and p[-1].get("contact") == "sip:1001@127.0.0.1:5070" and p[-1].get("expires") == "60", p)

    # 2. INVITE -> proxy -> answered -> BYE
    callid, ftag, r, br = authed_invite(ua, "1002", 5070)
    check("INVITE proxy: 200 after 407 + credentials", r and r.code == 200, r and r.raw)
    if r and r.code == 200:
        in_dialog(ua, "ACK", r, callid, ftag, 2, 5070)
        time.sleep(0.3)
        inv = callee.invites.get(callid)
        check("proxied INVITE carries rtjson headers.extra and no Proxy-Authorization",
              inv and inv.hdr("X-Account-Id") == "acc_1" and inv.hdr("Proxy-Authorization") is None, inv and inv.raw)
        check("callee got the ACK", any(m.method == "ACK" and m.hdr("Call-ID") == callid for m in callee.seen))
        in_dialog(ua, "BYE", r, callid, ftag, 3, 5070)
        rb = ua.final()
        check("BYE -> 200", rb and rb.code == 200, rb and rb.raw)
        time.sleep(0.5)
    rt = [e["form"] for e in events() if e["path"] == "/route" and e["form"].get("callId") == callid]
    check("/route got callId, from, fromDomain, to, sourceIp, authUser",
          rt and rt[-1].get("from") == "1001" and rt[-1].get("fromDomain") == "acme.sip.io" and rt[-1].get("to") == "1002"
          and rt[-1].get("authUser") == "1001" and rt[-1].get("sourceIp") == "127.0.0.1", rt)
    states = [e.get("state") for e in presence(callid)]
    check("dialog events early, confirmed, terminated (once)", states == ["early", "confirmed", "terminated"], states)

    # 3. reject
    callid, ftag, r, br = authed_invite(ua, "12025559999", 5070)
    check("reject -> 503 Maximum Calls In Progress", r and r.code == 503 and "Maximum Calls In Progress" in r.first, r and r.first)
    if r:
        totag = r.hdr("To").split("tag=")[1]
        m, _ = request("ACK", "sip:12025559999@acme.sip.io", "sip:1001@acme.sip.io", "sip:12025559999@acme.sip.io", callid, 2, 5070, branch=br, totag=totag, ftag=ftag)
        ua.send(m)
    time.sleep(0.5)
    states = [e.get("state") for e in presence(callid)]
    check("reject -> terminated reported once", states == ["terminated"], states)

    # 4. flow -> media engine (busy)
    callid, ftag, r, br = authed_invite(ua, "12025550123", 5070)
    check("flow -> media engine answer (486) relayed", r and r.code == 486, r and r.first)
    inv = media.invites.get(callid)
    check("media engine INVITE carries X-Account-Id and X-Flow-Id",
          inv and inv.hdr("X-Account-Id") == "acc_1" and inv.hdr("X-Flow-Id") == "flow_1", inv and inv.raw)
    if r:
        totag = r.hdr("To").split("tag=")[1]
        m, _ = request("ACK", "sip:12025550123@acme.sip.io", "sip:1001@acme.sip.io", "sip:12025550123@acme.sip.io", callid, 2, 5070, branch=br, totag=totag, ftag=ftag)
        ua.send(m)
    time.sleep(0.5)
    states = [e.get("state") for e in presence(callid)]
    check("flow failure -> terminated reported once", states == ["terminated"], states)

    # 5. outbound, serial failover: trunk 1 answers 503, route 2 answers
    callid, ftag, r, br = authed_invite(ua, "12025550100", 5070)
    check("outbound failover: 200 from second route", r and r.code == 200, r and r.first)
    t1 = trunk1.invites.get(callid)
    t2 = callee.invites.get(callid)
    check("first route got X-Try: 1, second X-Try: 2",
          t1 and t1.hdr("X-Try") == "1" and t2 and t2.hdr("X-Try") == "2", (t1 and t1.raw, t2 and t2.raw))
    if r and r.code == 200:
        in_dialog(ua, "ACK", r, callid, ftag, 2, 5070)
        time.sleep(0.2)
        in_dialog(ua, "BYE", r, callid, ftag, 3, 5070)
        rb = ua.final()
        check("outbound BYE -> 200", rb and rb.code == 200, rb and rb.raw)
    time.sleep(0.5)
    states = [e.get("state") for e in presence(callid)]
    check("outbound dialog: early, confirmed, terminated", states == ["early", "confirmed", "terminated"], states)

    # 6. CANCEL while ringing
    callee.behaviour = "ring"
    callid = "call-" + rnd()
    ftag = rnd(6)
    ruri = "sip:1002@acme.sip.io"
    contact = ("Contact: <sip:1001@127.0.0.1:5070>",)
    msg, br = request("INVITE", ruri, "sip:1001@acme.sip.io", ruri, callid, 1, 5070, extra=contact, ftag=ftag)
    ua.send(msg)
    r = ua.final()
    totag = r.hdr("To").split("tag=")[1]
    m, _ = request("ACK", ruri, "sip:1001@acme.sip.io", ruri, callid, 1, 5070, branch=br, totag=totag, ftag=ftag)
    ua.send(m)
    auth = digest_header("Proxy-Authorization", "1001", "s3cret", "INVITE", ruri, r.hdr("Proxy-Authenticate"))
    msg, br2 = request("INVITE", ruri, "sip:1001@acme.sip.io", ruri, callid, 2, 5070, extra=contact + (auth,), ftag=ftag)
    ua.send(msg)
    got180 = False
    end = time.time() + 5
    while time.time() < end and not got180:
        x = ua.recv(1)
        got180 = x is not None and x.is_reply and x.code == 180
    check("ringing before CANCEL", got180)
    time.sleep(0.2)
    m, _ = request("CANCEL", ruri, "sip:1001@acme.sip.io", ruri, callid, 2, 5070, branch=br2, ftag=ftag)
    ua.send(m)
    codes = []
    r487 = None
    end = time.time() + 5
    while time.time() < end and not (200 in codes and 487 in codes):
        x = ua.recv(1)
        if x is not None and x.is_reply:
            codes.append((x.code, x.hdr("CSeq")))
            if x.code == 487:
                r487 = x
    check("CANCEL -> 200 + 487", (200, "2 CANCEL") in codes and (487, "2 INVITE") in codes, codes)
    if r487:
        m, _ = request("ACK", ruri, "sip:1001@acme.sip.io", ruri, callid, 2, 5070, branch=br2,
                       totag=r487.hdr("To").split("tag=")[1], ftag=ftag)
        ua.send(m)
    time.sleep(0.5)
    states = [e.get("state") for e in presence(callid)]
    check("cancelled call: early, terminated", states == ["early", "terminated"], states)
    callee.behaviour = "answer"

    while ua.recv(0.7) is not None:
        pass

    # 7. bad password with blacklist -> 403, then the source is dropped
    cid = "reg-" + rnd()
    msg, _ = request("REGISTER", "sip:acme.sip.io", "sip:1002@acme.sip.io", "sip:1002@acme.sip.io", cid, 1, 5070,
                     extra=("Contact: <sip:1002@127.0.0.1:5070>",))
    ua.send(msg)
    r = ua.final()
    auth = digest_header("Authorization", "1002", "wrong", "REGISTER", "sip:acme.sip.io", r.hdr("WWW-Authenticate"))
    msg, _ = request("REGISTER", "sip:acme.sip.io", "sip:1002@acme.sip.io", "sip:1002@acme.sip.io", cid, 2, 5070,
                     extra=("Contact: <sip:1002@127.0.0.1:5070>", auth))
    ua.send(msg)
    r = ua.final()
    check("bad password with blacklist -> 403", r and r.code == 403, r and r.first)
    msg, _ = request("OPTIONS", "sip:acme.sip.io", "sip:1002@acme.sip.io", "sip:acme.sip.io", "opt-" + rnd(), 1, 5070)
    ua.send(msg)
    r = ua.final(2.0)
    check("banned source gets no answer", r is None, r and r.first)

    finish()

if len(sys.argv) > 2 and sys.argv[2] == "trusted":
    trusted()
else:
    main()
