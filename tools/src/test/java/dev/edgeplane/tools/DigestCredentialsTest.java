package dev.edgeplane.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import dev.edgeplane.codec.DigestAlgorithm;
import dev.edgeplane.codec.SipDigest;
import org.junit.jupiter.api.Test;

class DigestCredentialsTest
{
    private static final String NONCE = "dcd98b7102dd2f0e8b11d0f600bfb0c093";
    private static final String CNONCE = "0a4f113b";

    @Test
    void shouldMatchTheRfc2617ExampleResponse()
    {
        // RFC 2617 §3.5: Mufasa / "Circle Of Life", qop=auth, nc=00000001.
        final CallDirectory.Device mufasa = new CallDirectory.Device(
            "acc_x", "testrealm@host.com", "Mufasa", "Circle Of Life", null, DigestAlgorithm.MD5);

        final DigestCredentials credentials = DigestCredentials.of(mufasa, "GET", "/dir/index.html", NONCE, CNONCE);

        assertEquals("6629fae49393a05397450978507c4ef1", credentials.response());
    }

    @Test
    void shouldComputeResponsesThatSipDigestVerifiesForEveryKindOfDevice()
    {
        final String ha1Md5 = SipDigest.ha1(DigestAlgorithm.MD5, "1002", "acme.sip.io", "pw1002");
        final String ha1Sha = SipDigest.ha1(DigestAlgorithm.SHA_256, "1003", "acme.sip.io", "pw1003");
        final List<CallDirectory.Device> devices = List.of(
            new CallDirectory.Device("acc_1", "acme.sip.io", "1001", "s3cret", null, DigestAlgorithm.MD5),
            new CallDirectory.Device("acc_1", "acme.sip.io", "1002", null, ha1Md5, DigestAlgorithm.MD5),
            new CallDirectory.Device("acc_1", "acme.sip.io", "1003", null, ha1Sha, DigestAlgorithm.SHA_256));
        final List<String> storedHa1 = List.of(
            SipDigest.ha1(DigestAlgorithm.MD5, "1001", "acme.sip.io", "s3cret"), ha1Md5, ha1Sha);

        for (int i = 0; i < devices.size(); i++)
        {
            final CallDirectory.Device device = devices.get(i);
            final DigestCredentials c = DigestCredentials.of(device, "REGISTER", "sip:acme.sip.io", "abc123", "c0ffee");

            assertTrue(SipDigest.verify(device.algorithm(), storedHa1.get(i), c.method(), c.uri(), c.nonce(), c.nc(),
                c.cnonce(), SipDigest.QOP_AUTH, c.response()), "device " + device.username());
            assertEquals(device.algorithm().wireName(), c.algorithm());
        }
    }

    @Test
    void shouldSendEveryAuthFieldKamailioSends()
    {
        final CallDirectory.Device device =
            new CallDirectory.Device("acc_1", "acme.sip.io", "1001", "s3cret", null, DigestAlgorithm.MD5);

        final Map<String, String> form =
            DigestCredentials.of(device, "REGISTER", "sip:acme.sip.io", "abc123", "c0ffee").authForm("127.0.0.1");

        assertEquals(List.of("method", "realm", "username", "uri", "nonce", "response", "algorithm", "qop", "cnonce",
            "nc", "sourceIp"), List.copyOf(form.keySet()));
        assertEquals("REGISTER", form.get("method"));
        assertEquals("acme.sip.io", form.get("realm"));
        assertEquals("auth", form.get("qop"));
        assertEquals("00000001", form.get("nc"));
        assertEquals("MD5", form.get("algorithm"));
        assertEquals("127.0.0.1", form.get("sourceIp"));
    }
}
