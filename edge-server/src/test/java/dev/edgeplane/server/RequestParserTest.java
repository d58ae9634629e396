package dev.edgeplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/**
 * The request parser on the RFC 9112 cases it decides: what a head is, how a body is framed, what is
 * refused and with which status. Every case is also fed one byte at a time, which must parse the same.
 */
class RequestParserTest
{
    /** What a parser made of some input: the head, the body, and how it ended. */
    private record Parsed(RequestHead head, String body, boolean complete, int errorStatus, String errorMessage)
    {
    }

    private static Parsed parse(final String wire, final boolean byteByByte)
    {
        final RequestParser parser = new RequestParser(256, 1024);
        final byte[] bytes = wire.getBytes(StandardCharsets.ISO_8859_1);
        final ByteBuf in = Unpooled.buffer();
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        RequestHead head = null;
        int fed = 0;
        try
        {
            while (true)
            {
                final int r = parser.next(in);
                switch (r)
                {
                    case RequestParser.HEAD -> head = parser.head();
                    case RequestParser.DATA ->
                    {
                        final byte[] chunk = new byte[parser.dataLength()];
                        in.getBytes(parser.dataIndex(), chunk);
                        body.writeBytes(chunk);
                    }
                    case RequestParser.END ->
                    {
                        return new Parsed(head, body.toString(StandardCharsets.ISO_8859_1), true, 0, null);
                    }
                    case RequestParser.ERROR ->
                    {
                        return new Parsed(head, body.toString(StandardCharsets.ISO_8859_1), false,
                            parser.errorStatus().code(), parser.errorMessage());
                    }
                    default ->
                    {
                        if (fed == bytes.length)
                        {
                            return new Parsed(head, body.toString(StandardCharsets.ISO_8859_1), false, 0, null);
                        }
                        final int n = byteByByte ? 1 : bytes.length - fed;
                        in.writeBytes(bytes, fed, n);
                        fed += n;
                    }
                }
            }
        }
        finally
        {
            in.release();
        }
    }

    /** Parses whole and byte by byte; both must agree. */
    private static Parsed parse(final String wire)
    {
        final Parsed whole = parse(wire, false);
        final Parsed bytewise = parse(wire, true);
        assertEquals(whole.body(), bytewise.body(), "byte-by-byte body");
        assertEquals(whole.complete(), bytewise.complete(), "byte-by-byte completion");
        assertEquals(whole.errorStatus(), bytewise.errorStatus(), "byte-by-byte error: " + bytewise.errorMessage());
        return whole;
    }

    private static void assertRefused(final int status, final String wire)
    {
        final Parsed p = parse(wire);
        assertFalse(p.complete(), "must be refused: " + wire);
        assertEquals(status, p.errorStatus(), p.errorMessage());
    }

    @Test
    void shouldParseARequestWithAContentLengthBody()
    {
        final Parsed p = parse("POST /route?x=1 HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}");
        assertTrue(p.complete());
        assertEquals("POST", p.head().method());
        assertEquals("/route?x=1", p.head().uri());
        assertEquals("application/json", p.head().header("content-TYPE"));
        assertEquals("{\"a\":1}", p.body());
        assertTrue(p.head().keepAlive());
    }

    @Test
    void shouldParseAChunkedBodyWithExtensionsAndTrailers()
    {
        final Parsed p = parse("POST /u HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "4;name=value\r\nWiki\r\n5 \r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nX-Checksum: 1\r\n\r\n");
        assertTrue(p.complete(), p.errorMessage());
        assertEquals("Wikipedia in\r\n\r\nchunks.", p.body());
    }

    @Test
    void shouldAcceptBareLineFeedsAndIgnoreLeadingEmptyLines()
    {
        final Parsed p = parse("\r\n\nGET /health HTTP/1.1\nHost: a\nX-Request-Id:  abc \n\n");
        assertTrue(p.complete());
        assertEquals("/health", p.head().uri());
        assertEquals("abc", p.head().header("x-request-id"));
    }

    @Test
    void shouldTakeAnAbsoluteFormTargetAsItsPath()
    {
        assertEquals("/a/b?c=d", parse("GET http://example.com:80/a/b?c=d HTTP/1.1\r\nHost: example.com\r\n\r\n").head().uri());
        assertEquals("/?q", parse("GET HTTPS://example.com?q HTTP/1.1\r\nHost: example.com\r\n\r\n").head().uri());
        assertEquals("/", parse("GET http://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n").head().uri());
    }

    @Test
    void shouldKeepAliveByVersionAndConnectionTokens()
    {
        assertFalse(parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, Close\r\n\r\n").head().keepAlive());
        assertFalse(parse("GET / HTTP/1.0\r\n\r\n").head().keepAlive());
        assertTrue(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").head().keepAlive());
        final RequestHead upgrade = parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Upgrade\r\nUpgrade: WebSocket\r\n\r\n").head();
        assertTrue(upgrade.connectionUpgrade);
        assertTrue(upgrade.headerEquals("upgrade", "websocket"));
    }

    @Test
    void shouldAcceptARepeatedEqualContentLength()
    {
        final Parsed p = parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\nContent-Length: 3\r\n\r\nabc");
        assertTrue(p.complete());
        assertEquals("abc", p.body());
    }

    @Test
    void shouldNoticeExpectContinue()
    {
        assertTrue(parse("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\nx").head().expectContinue);
    }

    @Test
    void shouldRefuseFramingThatCouldBeReadTwoWays()
    {
        assertRefused(400, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
        assertRefused(400, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd");
        assertRefused(400, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +3\r\n\r\nabc");
        assertRefused(400, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3,\r\n\r\nabc");
        assertRefused(400, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n");
        assertRefused(400, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n");
        assertRefused(400, "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
        assertRefused(501, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n");
    }

    @Test
    void shouldRefuseMalformedChunks()
    {
        final String head = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
        assertRefused(400, head + "zz\r\nab\r\n0\r\n\r\n");
        assertRefused(400, head + "2\r\nabc\r\n0\r\n\r\n");
        assertRefused(400, head + "-1\r\n");
        assertRefused(400, head + "fffffffffffffffffff\r\n");
        assertRefused(400, head + "1".repeat(2000));
        final Parsed partial = parse(head + "3\r\nabc\r\n");
        assertFalse(partial.complete(), "no last chunk yet: the body is not complete");
        assertEquals(0, partial.errorStatus());
    }

    @Test
    void shouldRefuseMalformedHeads()
    {
        assertRefused(400, "GET / HTTP/1.1\r\n\r\n"); // no Host
        assertRefused(400, "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
        assertRefused(400, "GET / HTTP/1.1\r\nHost: a\r\nX-A : b\r\n\r\n"); // whitespace before the colon
        assertRefused(400, "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n  folded\r\n\r\n");
        assertRefused(400, "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\u0000c\r\n\r\n");
        assertRefused(400, "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\rc\r\n\r\n");
        assertRefused(400, "GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n");
        assertRefused(400, "G(T / HTTP/1.1\r\nHost: a\r\n\r\n");
        assertRefused(400, "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n");
        assertRefused(400, "GET / HTTP/1.1 \r\nHost: a\r\n\r\n");
        assertRefused(400, "GET / http/1.1\r\nHost: a\r\n\r\n");
        assertRefused(505, "GET / HTTP/2.0\r\nHost: a\r\n\r\n");
        assertRefused(505, "GET / HTTP/1.2\r\nHost: a\r\n\r\n");
    }

    @Test
    void shouldRefuseHeadsOverTheLimits()
    {
        assertRefused(414, "GET /" + "a".repeat(300) + " HTTP/1.1\r\nHost: a\r\n\r\n");
        assertRefused(414, "GET /" + "a".repeat(300)); // the line never ends
        assertRefused(431, "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + "b".repeat(1100) + "\r\n\r\n");
        assertRefused(431, "GET / HTTP/1.1\r\nHost: a\r\n" + "X-Many: b\r\n".repeat(200));
    }

    @Test
    void shouldParsePipelinedRequestsOneAfterAnother()
    {
        final RequestParser parser = new RequestParser(256, 1024);
        final ByteBuf in = Unpooled.copiedBuffer(
            "POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nhiGET /b HTTP/1.1\r\nHost: h\r\n\r\n", StandardCharsets.US_ASCII);
        try
        {
            assertEquals(RequestParser.HEAD, parser.next(in));
            assertEquals("/a", parser.head().uri());
            assertEquals(RequestParser.DATA, parser.next(in));
            assertEquals(2, parser.dataLength());
            assertEquals(RequestParser.END, parser.next(in));
            assertFalse(parser.midRequest());
            assertEquals(RequestParser.HEAD, parser.next(in));
            assertEquals("/b", parser.head().uri());
            assertNull(parser.head().header("content-length"));
            assertEquals(RequestParser.END, parser.next(in));
            assertEquals(RequestParser.NEED_MORE, parser.next(in));
        }
        finally
        {
            in.release();
        }
    }
}
