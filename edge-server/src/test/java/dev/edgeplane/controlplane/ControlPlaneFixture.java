package dev.edgeplane.controlplane;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

import dev.edgeplane.codec.DigestAlgorithm;
import dev.edgeplane.codec.SipDigest;
import dev.edgeplane.server.TestServers;

/**
 * A client for one running control plane in tests: admin-token requests, form posts, digest
 * computation, and the test account's configuration document.
 */
final class ControlPlaneFixture
{
    static final String ADMIN_TOKEN = "test-admin-token-0123456789";
    static final String ACCOUNT = "acc_01jf18ah3jeb5w6dfp27sgjsbt";
    static final String DOMAIN = "acme.sip.io";
    static final String FLOW = "flow_01jzqwjn803wtnhc445bvjenzc";
    static final String LOOP_FLOW = "flow_01jzqwjn803wtnhc445bvjenzd";

    final int port;

    ControlPlaneFixture(final int port)
    {
        this.port = port;
    }

    /** The test account: 1001/1002 (passwords), 1003 (HA1 only), 1099 disabled; DIDs to a flow, a device, a number. */
    static String document(final int maxChannels, final String extraTrunks)
    {
        return ("""
            {"accounts":[{"id":"%s","name":"Acme","domain":"%s","max_channels":%d,"timezone":"America/New_York",
             "devices":[
               {"id":"dev_01jx45hy43kwjrp1xpa7z3dj8f","username":"1001","password":"pw-1001"},
               {"id":"dev_01jssz5awsh8vhtpre95b9ee0z","username":"1002","password":"pw-1002"},
               {"id":"dev_01jbgj09tqm83xssss6ys3c4dw","username":"1003","ha1_md5":"%s"},
               {"id":"dev_01ja7n36096q14dr9gpqy77zxy","username":"1099","password":"pw-1099","enabled":false}],
             "dids":[
               {"number":"+12025550123","target":{"type":"flow","id":"%s"}},
               {"number":"+1 (202) 555-0124","target":{"type":"device","username":"1002"}},
               {"number":"+12025550125","target":{"type":"number","number":"+447700900123"}},
               {"number":"+12025550126","target":{"type":"device","username":"1002"},"schedule":"sch_01jzqwjn803wtnhc445bvjenza",
                "after_hours":{"type":"flow","id":"%s"}},
               {"number":"+12025550127","target":{"type":"flow","id":"%s"}}],
             "schedules":[{"id":"sch_01jzqwjn803wtnhc445bvjenza","weekly":{},"holidays":[]}],
             "flows":[
               {"id":"%s","name":"Main","definition":{"start":"menu","nodes":{
                 "menu":{"command":{"type":"gather","prompt":"media:menu-${caller_cid}.wav","numDigits":1,"timeoutMs":5000},
                         "next":{"digit:1":"sales","digit:2":"vm","timeout":"menu","*":"bye"}},
                 "sales":{"command":{"type":"enqueue","queue":"q_01jzqwjn803wtnhc445bvjenzb"},"next":{"*":"bye"}},
                 "vm":{"command":{"type":"record","maxSeconds":120,"beep":true},"next":{"*":"bye"}},
                 "bye":{"command":{"type":"hangup"}}}}},
               {"id":"%s","name":"Loop","definition":{"start":"again","nodes":{
                 "again":{"command":{"type":"noop","waitMs":10},"next":{"*":"again"}}}}}],
             "trunks":[{"id":"trk_01jzqwjn803wtnhc445bvjen01","prefixes":["+1"],"uri":"sip:us-gw.example.net:5060"},
                       {"id":"trk_01jzqwjn803wtnhc445bvjen02","prefixes":["+44"],"uri":"sip:uk-gw.example.net:5060"},
                       {"id":"trk_01jzqwjn803wtnhc445bvjen03","prefixes":["+4477"],"uri":"sips:uk-mobile.example.net:5061"}%s],
             "queues":[{"id":"q_01jzqwjn803wtnhc445bvjenzb","name":"Sales","strategy":"ring_all"}],
             "agents":[]
            }]}""").formatted(ACCOUNT, DOMAIN, maxChannels, SipDigest.ha1(DigestAlgorithm.MD5, "1003", DOMAIN, "pw-1003"),
            FLOW, FLOW, LOOP_FLOW, FLOW, LOOP_FLOW, extraTrunks);
    }

    HttpResponse<String> admin(final String method, final String path, final String json) throws Exception
    {
        final HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(30)).header("x-admin-token", ADMIN_TOKEN);
        if (json != null)
        {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        }
        else
        {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return TestServers.CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    void applyConfig(final String document) throws Exception
    {
        final HttpResponse<String> r = admin("POST", "/admin/config", document);
        assertEquals(200, r.statusCode(), r.body());
    }

    /** POSTs a form body built from name/value pairs. */
    HttpResponse<String> form(final String path, final String... pairs) throws Exception
    {
        final StringJoiner body = new StringJoiner("&");
        for (int i = 0; i < pairs.length; i += 2)
        {
            body.add(enc(pairs[i]) + "=" + enc(pairs[i + 1]));
        }
        return TestServers.post(port, path, "application/x-www-form-urlencoded", body.toString());
    }

    HttpResponse<String> json(final String path, final String json) throws Exception
    {
        return TestServers.post(port, path, "application/json", json);
    }

    HttpResponse<String> get(final String path) throws Exception
    {
        return TestServers.get(port, path);
    }

    Map<String, Object> route(final String callId, final String from, final String fromDomain, final String to)
        throws Exception
    {
        final HttpResponse<String> r = form("/route", "callId", callId, "from", from, "fromDomain", fromDomain, "to", to);
        assertEquals(200, r.statusCode(), r.body());
        return rtjson(r.body());
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> rtjson(final String body)
    {
        return (Map<String, Object>)TestServers.json(body).get("rtjson");
    }

    void register(final String user, final String contact, final long expires) throws Exception
    {
        final HttpResponse<String> r = form("/presence/event", "type", "register", "domain", DOMAIN, "user", user,
            "contact", contact, "expires", Long.toString(expires), "sourceIp", "203.0.113.7", "userAgent", "test");
        assertEquals(204, r.statusCode(), r.body());
    }

    void terminate(final String callId) throws Exception
    {
        final HttpResponse<String> r = form("/presence/event", "type", "dialog", "callId", callId, "state", "terminated");
        assertEquals(204, r.statusCode(), r.body());
    }

    Map<String, Object> cac() throws Exception
    {
        final HttpResponse<String> r = get("/cac?accountId=" + ACCOUNT);
        assertEquals(200, r.statusCode(), r.body());
        return TestServers.json(r.body());
    }

    long active() throws Exception
    {
        return (Long)cac().get("active");
    }

    /** A digest attempt's form fields, answered correctly for {@code password} unless told otherwise. */
    static Map<String, String> digest(final DigestAlgorithm alg, final String user, final String password,
        final String nonce, final String nc, final String cnonce, final String qop)
    {
        final String uri = "sip:" + DOMAIN;
        final String ha1 = SipDigest.ha1(alg, user, DOMAIN, password);
        final Map<String, String> m = new LinkedHashMap<>();
        m.put("method", "REGISTER");
        m.put("realm", DOMAIN);
        m.put("username", user);
        m.put("uri", uri);
        m.put("nonce", nonce);
        m.put("response", SipDigest.response(alg, ha1, "REGISTER", uri, nonce, nc, cnonce, qop));
        m.put("algorithm", alg.wireName());
        if (qop != null)
        {
            m.put("qop", qop);
            m.put("nc", nc);
            m.put("cnonce", cnonce);
        }
        return m;
    }

    HttpResponse<String> auth(final Map<String, String> fields, final String sourceIp) throws Exception
    {
        final StringJoiner body = new StringJoiner("&");
        fields.forEach((k, v) -> body.add(enc(k) + "=" + enc(v)));
        if (sourceIp != null)
        {
            body.add("sourceIp=" + enc(sourceIp));
        }
        return TestServers.post(port, "/auth", "application/x-www-form-urlencoded", body.toString());
    }

    private static String enc(final String s)
    {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
