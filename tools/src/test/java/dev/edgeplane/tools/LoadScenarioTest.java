package dev.edgeplane.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.edgeplane.codec.DigestAlgorithm;
import dev.edgeplane.codec.SipDigest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/** What each scenario puts on the wire and how it judges answers, without a server. */
class LoadScenarioTest
{
    private static final String DOCUMENT = """
        {"accounts":[{"id":"acc_1","domain":"acme.sip.io",
          "devices":[{"username":"1001","password":"s3cret"}],
          "dids":[{"number":"+12025550123"}],
          "flows":[{"id":"flow_1"}]},
          {"id":"acc_2","domain":"beta.sip.io",
          "devices":[{"username":"2001","ha1_sha256":"%s"}]}]}
        """.formatted(SipDigest.ha1(DigestAlgorithm.SHA_256, "2001", "beta.sip.io", "pw2001"));

    private static final LoadTargets TARGETS =
        LoadTargets.of(CallDirectory.parse(DOCUMENT.getBytes(StandardCharsets.UTF_8)));

    private static LoadScenario scenario(final LoadScenario.Kind kind, final int steps)
    {
        return LoadScenario.create(new LoadScenario.Setup(kind, "127.0.0.1:3000", "", null, TARGETS, "0badcafe", steps), 3);
    }

    @Test
    void shouldSendCorrectDigestsWithANonceUniqueToEachRequest()
    {
        final LoadScenario auth = scenario(LoadScenario.Kind.AUTH, 0);
        final Map<String, Integer> algorithms = new HashMap<>();
        String previousNonce = null;
        for (long chain = 0; chain < 40; chain++)
        {
            final Request request = Request.of(auth.encode(chain, 0, ByteBufAllocator.DEFAULT));
            assertEquals("POST /auth", request.line);
            final Map<String, String> f = request.form;
            final DigestAlgorithm algorithm = DigestAlgorithm.parse(f.get("algorithm"));
            algorithms.merge(f.get("username"), 1, Integer::sum);
            final String ha1 = "1001".equals(f.get("username"))
                ? SipDigest.ha1(DigestAlgorithm.MD5, "1001", "acme.sip.io", "s3cret")
                : SipDigest.ha1(DigestAlgorithm.SHA_256, "2001", "beta.sip.io", "pw2001");
            assertTrue(SipDigest.verify(algorithm, ha1, f.get("method"), f.get("uri"), f.get("nonce"), f.get("nc"),
                f.get("cnonce"), f.get("qop"), f.get("response")), f.toString());
            assertEquals("sip:" + f.get("realm"), f.get("uri"));
            assertTrue(f.get("sourceIp").startsWith("10."), f.toString());
            assertNotEquals(previousNonce, f.get("nonce"));
            assertTrue(f.get("nonce").startsWith("0badcafe3x"), f.get("nonce"));
            previousNonce = f.get("nonce");
        }
        assertEquals(2, algorithms.size(), "both devices drawn: " + algorithms);
    }

    @Test
    void shouldAlternateInboundAndOutboundRoutesAndTerminateTheSameCall()
    {
        final LoadScenario route = scenario(LoadScenario.Kind.ROUTE, 0);

        final Request inbound = Request.of(route.encode(0, 0, ByteBufAllocator.DEFAULT));
        assertEquals("POST /route", inbound.line);
        assertEquals("lg-0badcafe-3-0", inbound.form.get("callId"));
        assertEquals("+12025550123", inbound.form.get("to"));
        assertTrue(inbound.form.get("from").matches("\\+1415555\\d{4}"), inbound.form.toString());

        final Request outbound = Request.of(route.encode(1, 0, ByteBufAllocator.DEFAULT));
        assertEquals("lg-0badcafe-3-1", outbound.form.get("callId"));
        assertEquals(outbound.form.get("from"), outbound.form.get("authUser"));
        assertTrue(List.of("acme.sip.io", "beta.sip.io").contains(outbound.form.get("fromDomain")));
        assertTrue(outbound.form.get("to").matches("\\+(1202555|44207946)\\d{4}"), outbound.form.toString());
        assertNotEquals("+12025550123", outbound.form.get("to"));

        final Request terminate = Request.of(route.encode(1, 1, ByteBufAllocator.DEFAULT));
        assertEquals("POST /presence/event", terminate.line);
        assertEquals(Map.of("type", "dialog", "state", "terminated", "cause", "normal", "callId", "lg-0badcafe-3-1"),
            terminate.form);
        assertEquals(1, route.next(0, 503, new ResponseBody()), "every routed call is terminated, whatever the answer");
        assertEquals(-1, route.next(1, 204, new ResponseBody()));
    }

    @Test
    void shouldJudgeRouteAnswersByTheirRtjsonAndCountDecisions()
    {
        final LoadScenario route = scenario(LoadScenario.Kind.ROUTE, 0);
        final LoadRecorder recorder = new LoadRecorder(LoadScenario.endpointNames(LoadScenario.Kind.ROUTE, ""));

        assertNull(route.check(0, 200, body("{\"rtjson\":{\"action\":\"flow\",\"account_id\":\"a\"}}"), true, recorder));
        assertNull(route.check(0, 200, body("{\"rtjson\":{\"action\":\"reject\",\"code\":480,\"reason\":\"x\"}}"), true, recorder));
        assertNull(route.check(0, 200, body("{\"rtjson\":{\"action\":\"outbound\",\"account_id\":\"a\"}}"), false, recorder));
        assertEquals("200 without rtjson", route.check(0, 200, body("{\"status\":\"ok\"}"), true, recorder));
        assertEquals("503", route.check(0, 503, body(""), true, recorder));
        assertEquals("404", route.check(1, 404, body(""), true, recorder));
        assertNull(route.check(1, 204, body(""), true, recorder));
        assertEquals(Map.of("flow", 1L, "reject 480", 1L), recorder.routeDecisions(), "warm-up answers are not counted");
    }

    @Test
    void shouldStepAFlowWithTimeoutsThenADigitAndStopAtHangup()
    {
        final LoadScenario flow = scenario(LoadScenario.Kind.FLOW, 3);

        final Request start = Request.of(flow.encode(7, 0, ByteBufAllocator.DEFAULT));
        assertEquals(Map.of("callId", "lg-0badcafe-3-7", "accountId", "acc_1", "flowId", "flow_1"), start.form);
        assertEquals("timeout", Request.of(flow.encode(7, 1, ByteBufAllocator.DEFAULT)).form.get("outcome"));
        assertEquals("timeout", Request.of(flow.encode(7, 2, ByteBufAllocator.DEFAULT)).form.get("outcome"));
        assertEquals("digit:1", Request.of(flow.encode(7, 3, ByteBufAllocator.DEFAULT)).form.get("outcome"));

        final ResponseBody gather = body("{\"callId\":\"c\",\"step\":1,\"command\":{\"type\":\"gather\"}}");
        final ResponseBody hangup = body("{\"callId\":\"c\",\"step\":2,\"command\":{\"type\":\"hangup\"}}");
        assertEquals(1, flow.next(0, 200, gather));
        assertEquals(3, flow.next(2, 200, gather));
        assertEquals(-1, flow.next(3, 200, gather), "no step beyond --steps");
        assertEquals(-1, flow.next(1, 200, hangup), "no step after hangup");
        assertEquals(-1, flow.next(1, 404, gather));
        assertEquals(0, flow.endpoint(0));
        assertEquals(1, flow.endpoint(2));
    }

    @Test
    void shouldRegisterDevicesAndJudgeAuthVerdicts()
    {
        final Request register = Request.of(scenario(LoadScenario.Kind.PRESENCE, 0).encode(0, 0, ByteBufAllocator.DEFAULT));
        assertEquals("register", register.form.get("type"));
        assertEquals("600", register.form.get("expires"));
        assertEquals("sip:" + register.form.get("user") + "@" + register.form.get("sourceIp") + ":5060",
            register.form.get("contact"));

        final LoadScenario auth = scenario(LoadScenario.Kind.AUTH, 0);
        final LoadRecorder recorder = new LoadRecorder(List.of("POST /auth"));
        assertNull(auth.check(0, 200, body("{\"status\":\"ok\",\"account_id\":\"a\"}"), true, recorder));
        assertEquals("auth replay", auth.check(0, 200,
            body("{\"status\":\"fail\",\"message\":\"replay\",\"blacklist\":0}"), true, recorder));
        assertEquals("400", auth.check(0, 400, body("{}"), true, recorder));
    }

    private static ResponseBody body(final String json)
    {
        final ResponseBody body = new ResponseBody();
        body.append(Unpooled.copiedBuffer(json, StandardCharsets.UTF_8));
        return body;
    }

    /** A request as written: its request line (method and path) and its form fields; checks Content-Length. */
    private record Request(String line, Map<String, String> form)
    {
        static Request of(final ByteBuf buf)
        {
            try
            {
                final String text = buf.toString(StandardCharsets.US_ASCII);
                final int headEnd = text.indexOf("\r\n\r\n");
                final String head = text.substring(0, headEnd);
                final String body = text.substring(headEnd + 4);
                final String[] first = head.substring(0, head.indexOf("\r\n")).split(" ");
                assertEquals("HTTP/1.1", first[2]);
                final int lengthAt = head.indexOf("Content-Length: ") + "Content-Length: ".length();
                assertEquals(body.length(), Integer.parseInt(head.substring(lengthAt).split("\r\n")[0]));
                final Map<String, String> form = new HashMap<>();
                for (final String pair : body.split("&"))
                {
                    final int eq = pair.indexOf('=');
                    assertTrue(form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8)) == null, "field twice: " + pair);
                }
                return new Request(first[0] + " " + first[1], form);
            }
            finally
            {
                buf.release();
            }
        }
    }
}
