package dev.edgeplane.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/** Pre-encoded request heads: the body is written first, the head with its length lands right before it. */
class RequestTemplateTest
{
    @Test
    void shouldFrameAFormBodyWithItsExactLength()
    {
        final RequestTemplate template = RequestTemplate.post("/route", "127.0.0.1:3000", RequestTemplate.FORM, "tok");
        final ByteBuf buf = template.begin(ByteBufAllocator.DEFAULT);
        try
        {
            buf.writeBytes(RequestTemplate.ascii("callId=c"));
            RequestTemplate.writeDecimal(buf, 1234567890123L);
            buf.writeBytes(RequestTemplate.ascii("&n="));
            RequestTemplate.writeDigits(buf, 42, 4);
            template.finish(buf);

            assertEquals("POST /route HTTP/1.1\r\nHost: 127.0.0.1:3000\r\nUser-Agent: edgeplane-load\r\n"
                + "x-admin-token: tok\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 28\r\n\r\n"
                + "callId=c1234567890123&n=0042", buf.toString(StandardCharsets.US_ASCII));
        }
        finally
        {
            buf.release();
        }
    }

    @Test
    void shouldFrameABodyLargerThanTheInitialCapacity()
    {
        final RequestTemplate template = RequestTemplate.post("/flow", "h:1", RequestTemplate.FORM, null);
        final ByteBuf buf = template.begin(ByteBufAllocator.DEFAULT);
        try
        {
            final byte[] big = "x".repeat(5000).getBytes(StandardCharsets.US_ASCII);
            buf.writeBytes(big);
            template.finish(buf);

            final String request = buf.toString(StandardCharsets.US_ASCII);
            assertEquals("POST /flow HTTP/1.1\r\nHost: h:1\r\nUser-Agent: edgeplane-load\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 5000\r\n\r\n" + "x".repeat(5000), request);
        }
        finally
        {
            buf.release();
        }
    }

    @Test
    void shouldEncodeAGetWithoutBody()
    {
        final RequestTemplate template = RequestTemplate.get("/", "127.0.0.1:9000", null);
        final ByteBuf buf = template.finish(template.begin(ByteBufAllocator.DEFAULT));
        try
        {
            assertEquals("GET / HTTP/1.1\r\nHost: 127.0.0.1:9000\r\nUser-Agent: edgeplane-load\r\n\r\n",
                buf.toString(StandardCharsets.US_ASCII));
        }
        finally
        {
            buf.release();
        }
    }

    @Test
    void shouldWriteNumbersWithoutFormatting()
    {
        final ByteBuf buf = Unpooled.buffer();
        RequestTemplate.writeDecimal(buf, 0);
        buf.writeByte(' ');
        RequestTemplate.writeHex(buf, new byte[] {0, (byte)0xab, 0x7f}, 0, 3);
        final byte[] hex = new byte[20];
        final int end = RequestTemplate.putHex(hex, 2, 0xbeefL);
        assertEquals("0 00ab7f", buf.toString(StandardCharsets.US_ASCII));
        assertEquals("beef", new String(hex, 2, end - 2, StandardCharsets.US_ASCII));
        assertEquals(3, RequestTemplate.putHex(hex, 2, 0));
        assertEquals("%2B12025550123", new String(RequestTemplate.formEncoded("+12025550123"), StandardCharsets.US_ASCII));
    }
}
