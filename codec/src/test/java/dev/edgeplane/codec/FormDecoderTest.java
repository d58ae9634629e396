package dev.edgeplane.codec;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FormDecoderTest
{
    static Fields decode(final String s)
    {
        final byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        return FormDecoder.decode(b, 0, b.length);
    }

    static Fields decode(final byte[] b)
    {
        return FormDecoder.decode(b, 0, b.length);
    }

    static DecodeException rejects(final byte[] b)
    {
        final DecodeException ex = assertThrows(DecodeException.class, () -> FormDecoder.decode(b, 0, b.length));
        assertEquals(DecodeException.MALFORMED_BODY, ex.code());
        return ex;
    }

    @Test
    void shouldDecodeTypicalRouteForm()
    {
        final Fields f = decode("callId=a84b4c76e66710&from=1001&fromDomain=acme.sip.io&to=%2B12025550123&sourceIp=203.0.113.7");
        assertEquals(List.of("callId", "from", "fromDomain", "to", "sourceIp"), List.copyOf(f.names()));
        assertEquals("+12025550123", f.raw("to"));
        assertEquals("203.0.113.7", f.raw("sourceIp"));
    }

    @Test
    void shouldDecodePlusAsSpaceAndPercentEscapes()
    {
        final Fields f = decode("a=hello+world&b=%41%62%2b&c%20d=%C3%A9%E2%82%AC");
        assertEquals("hello world", f.raw("a"));
        assertEquals("Ab+", f.raw("b"));
        assertEquals("\u00e9\u20ac", f.raw("c d"));
    }

    @Test
    void shouldAcceptRawUtf8Octets()
    {
        final byte[] b = "n=caf\u00e9 \uD83D\uDE00".getBytes(StandardCharsets.UTF_8);
        assertEquals("caf\u00e9 \uD83D\uDE00", decode(b).raw("n"));
    }

    @Test
    void shouldGiveKeyWithoutEqualsAnEmptyValue()
    {
        final Fields f = decode("flag&x=&=v");
        assertEquals("", f.raw("flag"));
        assertEquals("", f.raw("x"));
        assertEquals("v", f.raw(""));
        assertEquals("a=b", decode("k=a=b").raw("k"), "only the first '=' splits");
    }

    @Test
    void shouldSkipEmptySequences()
    {
        final Fields f = decode("&&a=1&&b=2&");
        assertEquals(2, f.size());
        assertEquals("1", f.raw("a"));
        assertSame(Fields.empty(), decode("&&&"));
        assertSame(Fields.empty(), decode(""));
    }

    @Test
    void shouldKeepMalformedPercentLiteralAsWhatwgSays()
    {
        assertEquals("%", decode("a=%").raw("a"));
        assertEquals("%4", decode("a=%4").raw("a"));
        assertEquals("%zz", decode("a=%zz").raw("a"));
        assertEquals("100%+sure", decode("a=100%25%2Bsure").raw("a"));
        assertEquals("%", decode("%=1").names().iterator().next());
        assertEquals("\u0000", decode("a=%00").raw("a"));
        assertEquals("%g0x", decode("a=%g0x").raw("a"));
    }

    @Test
    void shouldRejectInvalidUtf8AfterDecoding()
    {
        for (final String bad : new String[] {"%C3%28", "%C0%AF", "%ED%A0%80", "%E2%82", "%FF", "%80", "%F4%90%80%80"})
        {
            assertEquals("malformed form data: invalid UTF-8", rejects(("v=" + bad).getBytes(StandardCharsets.US_ASCII)).getMessage(), bad);
            rejects((bad + "=v").getBytes(StandardCharsets.US_ASCII));
        }
        final byte[][] raw = {{(byte)0xC3, 0x28}, {(byte)0xC0, (byte)0xAF}, {(byte)0xED, (byte)0xA0, (byte)0x80},
            {(byte)0xE2, (byte)0x82}};
        for (final byte[] r : raw)
        {
            final byte[] b = new byte[2 + r.length];
            b[0] = 'v';
            b[1] = '=';
            System.arraycopy(r, 0, b, 2, r.length);
            rejects(b);
            // A raw lead byte followed by an escaped continuation is still one sequence.
        }
        assertEquals("\u00e9", decode(new byte[] {'v', '=', (byte)0xC3, '%', 'A', '9'}).raw("v"));
    }

    @Test
    void shouldRejectDuplicateFields()
    {
        assertEquals("duplicate field 'x'", rejects("x=1&y=2&x=3".getBytes(StandardCharsets.US_ASCII)).getMessage());
        assertEquals("duplicate field 'x'", rejects("x&x".getBytes(StandardCharsets.US_ASCII)).getMessage());
        assertEquals("duplicate field 'a b'", rejects("a+b=1&a%20b=2".getBytes(StandardCharsets.US_ASCII)).getMessage(),
            "duplicates are detected after decoding");
    }

    @Test
    void shouldRejectMoreFieldsThanTheLimit()
    {
        final StringBuilder ok = new StringBuilder();
        for (int i = 0; i < FormDecoder.MAX_FIELDS; i++)
        {
            ok.append(i == 0 ? "" : "&").append('f').append(i).append('=').append(i);
        }
        assertEquals(FormDecoder.MAX_FIELDS, decode(ok.toString()).size());
        final byte[] tooMany = (ok + "&last=1").getBytes(StandardCharsets.US_ASCII);
        assertEquals("too many fields (limit 256)", rejects(tooMany).getMessage());
        final StringBuilder huge = new StringBuilder();
        for (int i = 0; i < 200_000; i++)
        {
            huge.append('k').append(i).append("=&");
        }
        rejects(huge.toString().getBytes(StandardCharsets.US_ASCII));
        assertEquals(2, FormDecoder.decode("a=1&b=2".getBytes(StandardCharsets.US_ASCII), 0, 7, 2).size());
        assertThrows(DecodeException.class, () -> FormDecoder.decode("a&b&c".getBytes(StandardCharsets.US_ASCII), 0, 5, 2));
    }

    @Test
    void shouldKeepNulAndControlBytesAsData()
    {
        final Fields f = decode(new byte[] {'a', '=', 0, 1, '&', 'b', '=', '\n'});
        assertEquals("\u0000\u0001", f.raw("a"));
        assertEquals("\n", f.raw("b"));
    }

    @Test
    void shouldHonourOffsetAndLength()
    {
        final byte[] b = "junk&a=1&b=2junk".getBytes(StandardCharsets.US_ASCII);
        final Fields f = FormDecoder.decode(b, 5, 7);
        assertEquals(List.of("a", "b"), List.copyOf(f.names()));
        assertEquals("2", f.raw("b"));
        assertThrows(IndexOutOfBoundsException.class, () -> FormDecoder.decode(b, 10, 10));
    }

    @Test
    void shouldDecodeEveryTruncationPrefixOrThrowDecodeException()
    {
        final byte[] full = "a=%C3%A9&bb=x+y&c".getBytes(StandardCharsets.US_ASCII);
        for (int n = 0; n <= full.length; n++)
        {
            try
            {
                FormDecoder.decode(full, 0, n);
            }
            catch (final DecodeException expected)
            {
                assertTrue(n < full.length, "full body must decode; prefix " + n);
            }
        }
        final byte[] cut = Arrays.copyOf(full, 7);
        rejects(cut);
    }
}
