package dev.edgeplane.codec;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BodyDecoderTest
{
    private static final byte[] JSON_BODY = JsonTest.ROUTE_BODY.getBytes(StandardCharsets.UTF_8);
    private static final byte[] FORM_BODY =
        "callId=a84b4c76e66710&from=1001&fromDomain=acme.sip.io&to=%2B12025550123&sourceIp=203.0.113.7"
            .getBytes(StandardCharsets.US_ASCII);

    static Fields decode(final String contentType, final byte[] body)
    {
        return BodyDecoder.decode(contentType, body, 0, body.length);
    }

    static DecodeException rejects(final String contentType, final byte[] body)
    {
        return assertThrows(DecodeException.class, () -> BodyDecoder.decode(contentType, body, 0, body.length));
    }

    @Test
    void shouldDecodeJsonAndFormToTheSameFields()
    {
        final Fields json = decode("application/json", JSON_BODY);
        final Fields form = decode("application/x-www-form-urlencoded", FORM_BODY);
        assertEquals(json.asMap(), form.asMap());
        assertEquals("+12025550123", json.raw("to"));
    }

    @Test
    void shouldMatchMediaTypeCaseInsensitivelyWithParameters()
    {
        assertEquals(5, decode("Application/JSON; charset=UTF-8", JSON_BODY).size());
        assertEquals(5, decode("  application/json ;charset=\"utf-8\" ; foo=bar", JSON_BODY).size());
        assertEquals(5, decode("application/json;foo=\"a;b\";charset=utf-8", JSON_BODY).size());
        assertEquals(5, decode("APPLICATION/X-WWW-FORM-URLENCODED; charset=utf-8", FORM_BODY).size());
    }

    @Test
    void shouldRejectOtherCharsetsAsUnsupportedMediaType()
    {
        assertEquals(DecodeException.UNSUPPORTED_MEDIA_TYPE, rejects("application/json; charset=iso-8859-1", JSON_BODY).code());
        assertEquals(DecodeException.UNSUPPORTED_MEDIA_TYPE, rejects("application/json; charset=utf-16", JSON_BODY).code());
        assertEquals(DecodeException.UNSUPPORTED_MEDIA_TYPE, rejects("application/json; charset=", JSON_BODY).code());
        assertEquals(DecodeException.UNSUPPORTED_MEDIA_TYPE,
            rejects("application/x-www-form-urlencoded; charset=latin1", FORM_BODY).code());
    }

    @Test
    void shouldRejectOtherMediaTypes()
    {
        for (final String type : new String[] {"text/plain", "multipart/form-data; boundary=x", "application/jsonx",
            "application/json-patch+json", "application", "application/", "/json", ";charset=utf-8"})
        {
            final DecodeException ex = rejects(type, JSON_BODY);
            assertEquals(DecodeException.UNSUPPORTED_MEDIA_TYPE, ex.code(), type);
        }
    }

    @Test
    void shouldSniffBodyWithoutContentType()
    {
        assertEquals("1001", decode(null, JSON_BODY).raw("from"));
        assertEquals("1001", decode("", FORM_BODY).raw("from"));
        assertEquals("1001", decode("  ", FORM_BODY).raw("from"));
        assertEquals("x", decode(null, " \n {\"a\":\"x\"}".getBytes(StandardCharsets.UTF_8)).raw("a"));
        assertSame(Fields.empty(), decode(null, new byte[0]));
        assertSame(Fields.empty(), decode(null, " \r\n\t".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(DecodeException.MALFORMED_BODY, rejects(null, "{\"a\":".getBytes(StandardCharsets.US_ASCII)).code());
    }

    @Test
    void shouldTreatEmptyBodyAsNoFieldsWhateverTheType()
    {
        assertSame(Fields.empty(), decode("application/json", new byte[0]));
        assertSame(Fields.empty(), decode("application/json", "  \n".getBytes(StandardCharsets.US_ASCII)));
        assertSame(Fields.empty(), decode("application/x-www-form-urlencoded", new byte[0]));
    }

    @Test
    void shouldReportMalformedBodies()
    {
        final DecodeException ex = rejects("application/json", "[1,2]".getBytes(StandardCharsets.US_ASCII));
        assertEquals(DecodeException.MALFORMED_BODY, ex.code());
        assertEquals("body must be a JSON object", ex.getMessage());
        assertEquals(DecodeException.MALFORMED_BODY, rejects("application/json", FORM_BODY).code());
        assertEquals("duplicate field 'a'",
            rejects("application/x-www-form-urlencoded", "a=1&a=2".getBytes(StandardCharsets.US_ASCII)).getMessage());
    }

    @Test
    void shouldHonourOffsetAndLength()
    {
        final byte[] b = "xx{\"a\":1}xx".getBytes(StandardCharsets.US_ASCII);
        assertEquals(1L, BodyDecoder.decode("application/json", b, 2, 7).raw("a"));
    }
}
