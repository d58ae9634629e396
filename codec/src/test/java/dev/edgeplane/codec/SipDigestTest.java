package dev.edgeplane.codec;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SipDigestTest
{
    // RFC 2617 §3.5.
    private static final String RFC2617_REALM = "testrealm@host.com";
    private static final String RFC2617_NONCE = "dcd98b7102dd2f0e8b11d0f600bfb0c093";
    private static final String RFC2617_CNONCE = "0a4f113b";
    private static final String RFC2617_RESPONSE = "6629fae49393a05397450978507c4ef1";

    // RFC 7616 §3.9.1 (password "Circle of Life" with a lowercase "of", erratum 4495).
    private static final String RFC7616_REALM = "http-auth@example.org";
    private static final String RFC7616_NONCE = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
    private static final String RFC7616_CNONCE = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
    private static final String RFC7616_MD5_RESPONSE = "8ca523f5e9506fed4657c9700eebdbec";
    private static final String RFC7616_SHA256_RESPONSE =
        "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1";

    private static final String URI = "/dir/index.html";

    @Test
    void shouldReproduceRfc2617Example()
    {
        final String ha1 = SipDigest.ha1(DigestAlgorithm.MD5, "Mufasa", RFC2617_REALM, "Circle Of Life");

        assertEquals(RFC2617_RESPONSE, SipDigest.response(
            DigestAlgorithm.MD5, ha1, "GET", URI, RFC2617_NONCE, "00000001", RFC2617_CNONCE, "auth"));
        assertTrue(SipDigest.verify(
            DigestAlgorithm.MD5, ha1, "GET", URI, RFC2617_NONCE, "00000001", RFC2617_CNONCE, "auth",
            RFC2617_RESPONSE));
    }

    @Test
    void shouldReproduceRfc7616ExamplesForMd5AndSha256()
    {
        final String md5Ha1 = SipDigest.ha1(DigestAlgorithm.MD5, "Mufasa", RFC7616_REALM, "Circle of Life");
        final String shaHa1 = SipDigest.ha1(DigestAlgorithm.SHA_256, "Mufasa", RFC7616_REALM, "Circle of Life");

        assertEquals(32, md5Ha1.length());
        assertEquals(64, shaHa1.length());
        assertEquals(RFC7616_MD5_RESPONSE, SipDigest.response(
            DigestAlgorithm.MD5, md5Ha1, "GET", URI, RFC7616_NONCE, "00000001", RFC7616_CNONCE, "auth"));
        assertEquals(RFC7616_SHA256_RESPONSE, SipDigest.response(
            DigestAlgorithm.SHA_256, shaHa1, "GET", URI, RFC7616_NONCE, "00000001", RFC7616_CNONCE, "auth"));
        assertTrue(SipDigest.verify(DigestAlgorithm.SHA_256, shaHa1, "GET", URI, RFC7616_NONCE, "00000001",
            RFC7616_CNONCE, "auth", RFC7616_SHA256_RESPONSE));
        assertTrue(SipDigest.verify(DigestAlgorithm.MD5, md5Ha1, "GET", URI, RFC7616_NONCE, "00000001",
            RFC7616_CNONCE, "auth", RFC7616_MD5_RESPONSE));
    }

    @Test
    void shouldComputeKnownHa1()
    {
        // RFC 2617 §3.5 HA1 for Mufasa, checked with `printf 'Mufasa:testrealm@host.com:Circle Of Life' | md5sum`.
        assertEquals("939e7578ed9e3c518a452acee763bce9",
            SipDigest.ha1(DigestAlgorithm.MD5, "Mufasa", RFC2617_REALM, "Circle Of Life"));
    }

    @Test
    void shouldVerifyWithoutQopAsRfc2069()
    {
        final String ha1 = SipDigest.ha1(DigestAlgorithm.MD5, "1001", "acme.sip.io", "s3cret");
        final String response = SipDigest.response(
            DigestAlgorithm.MD5, ha1, "REGISTER", "sip:acme.sip.io", "abc123", null, null, null);

        // H(HA1:nonce:HA2), the same as computing it by hand.
        final String ha2 = md5Hex("REGISTER:sip:acme.sip.io");
        assertEquals(md5Hex(ha1 + ":abc123:" + ha2), response);
        assertEquals(response, SipDigest.response(
            DigestAlgorithm.MD5, ha1, "REGISTER", "sip:acme.sip.io", "abc123", "ignored", "ignored", ""));
        assertTrue(SipDigest.verify(
            DigestAlgorithm.MD5, ha1, "REGISTER", "sip:acme.sip.io", "abc123", null, null, null, response));
        assertTrue(SipDigest.verify(
            DigestAlgorithm.MD5, ha1, "REGISTER", "sip:acme.sip.io", "abc123", null, null, "", response));
    }

    @Test
    void shouldRejectWrongPassword()
    {
        final String good = SipDigest.ha1(DigestAlgorithm.SHA_256, "Mufasa", RFC7616_REALM, "Circle of Life");
        final String bad = SipDigest.ha1(DigestAlgorithm.SHA_256, "Mufasa", RFC7616_REALM, "Circle Of Life");

        assertFalse(good.equals(bad));
        assertFalse(SipDigest.verify(DigestAlgorithm.SHA_256, bad, "GET", URI, RFC7616_NONCE, "00000001",
            RFC7616_CNONCE, "auth", RFC7616_SHA256_RESPONSE));
    }

    @Test
    void shouldRejectTamperedFields()
    {
        final String ha1 = SipDigest.ha1(DigestAlgorithm.MD5, "Mufasa", RFC2617_REALM, "Circle Of Life");

        assertFalse(SipDigest.verify(DigestAlgorithm.MD5, ha1, "GET", URI, RFC2617_NONCE, "00000002",
            RFC2617_CNONCE, "auth", RFC2617_RESPONSE));
        assertFalse(SipDigest.verify(DigestAlgorithm.MD5, ha1, "GET", URI, RFC2617_NONCE, "00000001",
            "0a4f113c", "auth", RFC2617_RESPONSE));
        assertFalse(SipDigest.verify(DigestAlgorithm.MD5, ha1, "POST", URI, RFC2617_NONCE, "00000001",
            RFC2617_CNONCE, "auth", RFC2617_RESPONSE));
        assertFalse(SipDigest.verify(DigestAlgorithm.MD5, ha1, "GET", "/dir/other.html", RFC2617_NONCE, "00000001",
            RFC2617_CNONCE, "auth", RFC2617_RESPONSE));
        assertFalse(SipDigest.verify(DigestAlgorithm.MD5, ha1, "GET", URI, RFC2617_NONCE, "00000001",
            RFC2617_CNONCE, null, RFC2617_RESPONSE));
        // The right response for another algorithm has the wrong length.
        assertFalse(SipDigest.verify(DigestAlgorithm.SHA_256, ha1, "GET", URI, RFC2617_NONCE, "00000001",
            RFC2617_CNONCE, "auth", RFC2617_RESPONSE));
    }

    @Test
    void shouldAcceptUppercaseClientHexAndUppercaseStoredHa1()
    {
        final String ha1 = SipDigest.ha1(DigestAlgorithm.MD5, "Mufasa", RFC2617_REALM, "Circle Of Life");
        final String upper = RFC2617_RESPONSE.toUpperCase(Locale.ROOT);

        assertTrue(SipDigest.verify(DigestAlgorithm.MD5, ha1, "GET", URI, RFC2617_NONCE, "00000001",
            RFC2617_CNONCE, "auth", upper));
        assertTrue(SipDigest.verify(DigestAlgorithm.MD5, ha1.toUpperCase(Locale.ROOT), "GET", URI, RFC2617_NONCE,
            "00000001", RFC2617_CNONCE, "auth", RFC2617_RESPONSE));
        assertTrue(SipDigest.verify(DigestAlgorithm.MD5, ha1, "GET", URI, RFC2617_NONCE, "00000001",
            RFC2617_CNONCE, "AUTH", SipDigest.response(DigestAlgorithm.MD5, ha1, "GET", URI, RFC2617_NONCE,
                "00000001", RFC2617_CNONCE, "AUTH")));
    }

    @Test
    void shouldNotLetNonAsciiCharactersAliasHexDigits()
    {
        final String ha1 = SipDigest.ha1(DigestAlgorithm.MD5, "Mufasa", RFC2617_REALM, "Circle Of Life");
        // U+0166 truncates to 0x66 ('f'), U+0131 truncates to '1'.
        final String aliased = RFC2617_RESPONSE.replace('f', '\u0166').replace('1', '\u0131');

        assertFalse(SipDigest.verify(DigestAlgorithm.MD5, ha1, "GET", URI, RFC2617_NONCE, "00000001",
            RFC2617_CNONCE, "auth", aliased));
    }

    @Test
    void shouldReturnFalseForNullInputsAndUnsupportedQop()
    {
        final String ha1 = SipDigest.ha1(DigestAlgorithm.MD5, "Mufasa", RFC2617_REALM, "Circle Of Life");
        final String r = RFC2617_RESPONSE;
        final String n = RFC2617_NONCE;
        final String c = RFC2617_CNONCE;

        assertFalse(SipDigest.verify(null, ha1, "GET", URI, n, "00000001", c, "auth", r));
        assertFalse(SipDigest.verify(DigestAlgorithm.MD5, null, "GET", URI, n, "00000001", c, "auth", r));
        assertFalse(SipDigest.verify(DigestAlgorithm.MD5, ha1, null, URI, n, "00000001", c, "auth", r));
        assertFalse(SipDigest.verify(DigestAlgorithm.MD5, ha1, "GET", null, n, "00000001", c, "auth", r));
        assertFalse(SipDigest.verify(DigestAlgorithm.MD5, ha1, "GET", URI, null, "00000001", c, "auth", r));
        assertFalse(SipDigest.verify(DigestAlgorithm.MD5, ha1, "GET", URI, n, null, c, "auth", r));
        assertFalse(SipDigest.verify(DigestAlgorithm.MD5, ha1, "GET", URI, n, "00000001", null, "auth", r));
        assertFalse(SipDigest.verify(DigestAlgorithm.MD5, ha1, "GET", URI, n, "00000001", c, "auth", null));
        assertFalse(SipDigest.verify(DigestAlgorithm.MD5, ha1, "GET", URI, n, "00000001", c, "auth-int", r));
        assertFalse(SipDigest.verify(DigestAlgorithm.MD5, ha1, "GET", URI, n, "00000001", c, "auth", ""));

        assertThrows(IllegalArgumentException.class,
            () -> SipDigest.response(DigestAlgorithm.MD5, ha1, "GET", URI, n, "00000001", c, "auth-int"));
        assertThrows(NullPointerException.class,
            () -> SipDigest.response(DigestAlgorithm.MD5, ha1, "GET", URI, n, null, c, "auth"));
        assertThrows(NullPointerException.class,
            () -> SipDigest.ha1(DigestAlgorithm.MD5, "u", "r", null));
    }

    @Test
    void shouldSupportOnlyNoQopAndAuth()
    {
        assertTrue(SipDigest.supportsQop(null));
        assertTrue(SipDigest.supportsQop(""));
        assertTrue(SipDigest.supportsQop("auth"));
        assertTrue(SipDigest.supportsQop("Auth"));
        assertFalse(SipDigest.supportsQop("auth-int"));
        assertFalse(SipDigest.supportsQop("auth,auth-int"));
        assertFalse(SipDigest.supportsQop("aut!"));
    }

    @Test
    void shouldHashNonAsciiAndLongTextAsUtf8()
    {
        final String user = "j\u00fcrgen";
        final String longPassword = "p".repeat(1000);

        assertEquals(md5Hex(user + ":r\u00e9alm:" + longPassword),
            SipDigest.ha1(DigestAlgorithm.MD5, user, "r\u00e9alm", longPassword));
        assertEquals(md5Hex("u:r:p\u00e4ss"), SipDigest.ha1(DigestAlgorithm.MD5, "u", "r", "p\u00e4ss"));
    }

    @Test
    void shouldParseAlgorithmNames()
    {
        assertSame(DigestAlgorithm.MD5, DigestAlgorithm.parse(null));
        assertSame(DigestAlgorithm.MD5, DigestAlgorithm.parse(""));
        assertSame(DigestAlgorithm.MD5, DigestAlgorithm.parse("md5"));
        assertSame(DigestAlgorithm.SHA_256, DigestAlgorithm.parse("SHA-256"));
        assertSame(DigestAlgorithm.SHA_256, DigestAlgorithm.parse("sha-256"));
        assertNull(DigestAlgorithm.parse("MD5-sess"));
        assertNull(DigestAlgorithm.parse("SHA-256-sess"));
        assertNull(DigestAlgorithm.parse("SHA-512-256"));
        assertNull(DigestAlgorithm.parse("\u017fHA-256"));
        assertNull(DigestAlgorithm.parse("SHA256"));
        assertEquals("SHA-256", DigestAlgorithm.SHA_256.wireName());
        assertEquals("MD5", DigestAlgorithm.MD5.wireName());
    }

    @Test
    void shouldCheckHex()
    {
        assertTrue(SipDigest.isHex("0123456789abcdefABCDEF", 22));
        assertFalse(SipDigest.isHex("0123", 5));
        assertFalse(SipDigest.isHex("012g", 4));
        assertFalse(SipDigest.isHex(null, 0));
    }

    @Test
    void shouldGiveSameAnswersFromManyThreadsAtOnce() throws Exception
    {
        final ExecutorService pool = Executors.newFixedThreadPool(4);
        try
        {
            final List<Callable<Boolean>> tasks = new ArrayList<>();
            for (int t = 0; t < 8; t++)
            {
                final int seed = t;
                tasks.add(() ->
                {
                    for (int i = 0; i < 2_000; i++)
                    {
                        final DigestAlgorithm alg = (i + seed) % 2 == 0 ? DigestAlgorithm.MD5 : DigestAlgorithm.SHA_256;
                        final String ha1 = SipDigest.ha1(alg, "user" + seed, "realm", "pw" + i);
                        final String nonce = "n" + i;
                        final String response = SipDigest.response(alg, ha1, "INVITE", "sip:x", nonce, "00000001",
                            "c" + seed, "auth");
                        if (!SipDigest.verify(alg, ha1, "INVITE", "sip:x", nonce, "00000001", "c" + seed, "auth",
                            response))
                        {
                            return false;
                        }
                        if (SipDigest.verify(alg, ha1, "INVITE", "sip:x", nonce, "00000002", "c" + seed, "auth",
                            response))
                        {
                            return false;
                        }
                    }
                    return true;
                });
            }
            for (final Future<Boolean> result : pool.invokeAll(tasks, 60, TimeUnit.SECONDS))
            {
                assertTrue(result.get());
            }
        }
        finally
        {
            pool.shutdownNow();
        }
    }

    private static String md5Hex(final String text)
    {
        try
        {
            final byte[] hash = MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8));
            final StringBuilder sb = new StringBuilder();
            for (final byte b : hash)
            {
                sb.append(String.format("%02x", b));
            }
            return sb.toString();
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new AssertionError(ex);
        }
    }
}
