package dev.edgeplane.controlplane;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.edgeplane.codec.DigestAlgorithm;
import dev.edgeplane.codec.SipDigest;
import dev.edgeplane.server.WarmUpScenario;
import dev.edgeplane.server.WarmUpScenario.Request;

/**
 * The control plane's start-up warm-up traffic: what the SIP edge and the media engine send for each
 * call, against a throwaway account ({@code warmup.invalid}) seeded into the throwaway server only. One
 * iteration is one call — a device's digest check, {@code /route} (a flow DID and a device DID in
 * turn), the dialog reports early / confirmed / terminated, and the flow's first command — plus a
 * device registration now and then, so the registration store and the device route warm too, and the
 * reads a monitoring system makes ({@code /health}, {@code /metrics}, {@code /cac}): a hot method
 * compiled for POSTs only would be thrown away by the first scrape's GET and compiled again under load.
 */
final class ControlPlaneWarmUp implements WarmUpScenario
{
    static final String DOMAIN = "warmup.invalid";
    static final String ACCOUNT = "acc_00000000000000000000000001";
    static final String FLOW = "flow_00000000000000000000000001";
    private static final String FLOW_DID = "+10000000001";
    private static final String DEVICE_DID = "+10000000002";
    private static final String PASSWORD = "warmup-only";
    private static final String HA1 = SipDigest.ha1(DigestAlgorithm.MD5, "1001", DOMAIN, PASSWORD);

    private static final String DOCUMENT = """
        {"accounts":[{"id":"%s","name":"Warm-up","domain":"%s","max_channels":1000000,"timezone":"UTC",
         "devices":[
           {"id":"dev_00000000000000000000000001","username":"1001","password":"%s"},
           {"id":"dev_00000000000000000000000002","username":"1002","password":"%s"}],
         "dids":[
           {"number":"%s","target":{"type":"flow","id":"%s"}},
           {"number":"%s","target":{"type":"device","username":"1002"}}],
         "flows":[{"id":"%s","name":"Warm-up","definition":{"start":"menu","nodes":{
           "menu":{"command":{"type":"gather","prompt":"media:menu.wav","numDigits":1,"timeoutMs":5000},
                   "next":{"digit:1":"bye","timeout":"bye","*":"bye"}},
           "bye":{"command":{"type":"hangup"}}}}}]}]}
        """.formatted(ACCOUNT, DOMAIN, PASSWORD, PASSWORD, FLOW_DID, FLOW, DEVICE_DID, FLOW);

    @Override
    public Map<String, String> settings(final Path directory)
    {
        final Path document = directory.resolve("warmup-config.json");
        try
        {
            Files.writeString(document, DOCUMENT);
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
        return Map.of(ControlPlaneSettings.SEED_CONFIG, document.toString());
    }

    /**
     * One call, in the shapes the SIP edge sends them (Call-IDs with an {@code @}, escapes in either case,
     * answered calls ending {@code normal} and unanswered ones {@code failed}): a branch the warm-up never
     * took would throw the compiled code away at the first real call that takes it.
     */
    @Override
    public List<Request> iteration(final int worker, final long iteration)
    {
        final String callId = iteration + "-" + worker + "@127.0.0.1";
        final boolean flow = (iteration & 1) == 0;
        final boolean answered = iteration % 4 != 3;
        final List<Request> call = new ArrayList<>(8);
        if (iteration % 64 == 0)
        {
            call.add(Request.form("/presence/event", "type=register&domain=" + DOMAIN + "&user=1002&contact="
                + enc("sip:1002@127.0.0.1:5062") + "&expires=300&sourceIp=127.0.0.2&userAgent=warmup"));
        }
        call.add(auth(callId, (iteration & 2) == 0));
        final String id = enc(callId, iteration);
        call.add(Request.form("/route", "callId=" + id + "&from=" + enc("+14155550100", iteration) + "&fromDomain=carrier.invalid&to="
            + enc(flow ? FLOW_DID : DEVICE_DID, iteration) + "&sourceIp=127.0.0.3"));
        call.add(dialog(id, "early"));
        if (flow)
        {
            call.add(Request.form("/flow", "callId=" + id + "&accountId=" + ACCOUNT + "&flowId=" + FLOW));
        }
        if (answered)
        {
            call.add(dialog(id, "confirmed"));
        }
        call.add(Request.form("/presence/event", "type=dialog&state=terminated&callId=" + id + "&cause="
            + (answered ? "normal" : "failed")));
        if (iteration % 16 == 8)
        {
            // A scrape is far heavier than a call (every series, JVM thread counts): rare, as from a monitor.
            call.add(new Request("GET", iteration % 512 == 8 ? "/metrics" : iteration % 64 == 8 ? "/cac?accountId=" + ACCOUNT : "/health",
                null, null));
        }
        return call;
    }

    /** A correct digest from device 1001 (a fresh nonce each time, so never a replay), with and without qop. */
    private static Request auth(final String nonce, final boolean qop)
    {
        final String uri = "sip:" + FLOW_DID + "@" + DOMAIN;
        final String nc = qop ? "00000001" : null;
        final String cnonce = qop ? "c" + nonce : null;
        final String response = SipDigest.response(DigestAlgorithm.MD5, HA1, "INVITE", uri, nonce, nc, cnonce,
            qop ? SipDigest.QOP_AUTH : null);
        final StringBuilder body = new StringBuilder(256).append("method=INVITE&realm=").append(DOMAIN)
            .append("&username=1001&uri=").append(enc(uri)).append("&nonce=").append(enc(nonce))
            .append("&response=").append(response).append("&algorithm=MD5&sourceIp=127.0.0.4&wantHa1=1");
        if (qop)
        {
            body.append("&qop=auth&cnonce=").append(enc(cnonce)).append("&nc=").append(nc);
        }
        return Request.form("/auth", body.toString());
    }

    private static Request dialog(final String encodedCallId, final String state)
    {
        return Request.form("/presence/event", "type=dialog&state=" + state + "&callId=" + encodedCallId);
    }

    private static String enc(final String s)
    {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** Form-encoded, with hex digits upper case on even iterations and lower case (as Kamailio writes them) on odd ones. */
    private static String enc(final String s, final long iteration)
    {
        final String encoded = enc(s);
        return (iteration & 1) == 0 ? encoded : encoded.toLowerCase(Locale.ROOT);
    }
}
