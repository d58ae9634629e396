package dev.edgeplane.server;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AsciiString;

/**
 * Encodes a whole HTTP/1.1 answer (status line, headers, body) into one pooled buffer, with the status
 * lines and constant header names pre-encoded and the {@code Date} value cached per second
 * ({@link HttpDate}): no response object, no header map, no encoder pass per answer.
 *
 * <p>Stateless and thread-safe (the status-line cache is filled racily; every writer writes the same bytes).
 */
final class ResponseHead
{
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] COLON = {':', ' '};
    private static final byte[] CONTENT_TYPE = "content-type: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONTENT_LENGTH = "content-length: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] REQUEST_ID = "x-request-id: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATE = "date: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONNECTION_CLOSE = "connection: close\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final AtomicReferenceArray<byte[]> STATUS_LINES = new AtomicReferenceArray<>(600);

    private ResponseHead()
    {
    }

    /**
     * @param contentType null for none.
     * @param extra       headers a handler added (may be empty).
     * @param close       adds {@code Connection: close}.
     * @param headOnly      the answer to a HEAD: the headers of the body, not the body.
     * @return the encoded answer; the caller writes it (and so releases it).
     */
    static ByteBuf encode(final ByteBufAllocator alloc, final HttpResponseStatus status, final AsciiString contentType,
        final byte[] content, final HttpHeaders extra, final String requestId, final boolean close, final boolean headOnly)
    {
        final ByteBuf out = alloc.buffer(192 + content.length);
        out.writeBytes(statusLine(status));
        if (contentType != null)
        {
            out.writeBytes(CONTENT_TYPE);
            writeAscii(out, contentType);
            out.writeBytes(CRLF);
        }
        if (status.code() != 204) // RFC 9110 §8.6: never on a 204
        {
            out.writeBytes(CONTENT_LENGTH);
            writeDecimal(out, content.length);
            out.writeBytes(CRLF);
        }
        if (!extra.isEmpty())
        {
            final Iterator<Map.Entry<CharSequence, CharSequence>> it = extra.iteratorCharSequence();
            while (it.hasNext())
            {
                final Map.Entry<CharSequence, CharSequence> h = it.next();
                writeAscii(out, h.getKey());
                out.writeBytes(COLON);
                writeAscii(out, h.getValue());
                out.writeBytes(CRLF);
            }
        }
        out.writeBytes(REQUEST_ID);
        writeAscii(out, requestId);
        out.writeBytes(CRLF);
        out.writeBytes(DATE);
        writeAscii(out, HttpDate.now());
        out.writeBytes(CRLF);
        if (close)
        {
            out.writeBytes(CONNECTION_CLOSE);
        }
        out.writeBytes(CRLF);
        if (!headOnly)
        {
            out.writeBytes(content);
        }
        return out;
    }

    private static byte[] statusLine(final HttpResponseStatus status)
    {
        final int code = status.code();
        if (code < 100 || code >= STATUS_LINES.length())
        {
            return ("HTTP/1.1 " + status + "\r\n").getBytes(StandardCharsets.US_ASCII);
        }
        byte[] line = STATUS_LINES.get(code);
        if (line == null)
        {
            line = ("HTTP/1.1 " + code + " " + status.reasonPhrase() + "\r\n").getBytes(StandardCharsets.US_ASCII);
            STATUS_LINES.set(code, line);
        }
        return line;
    }

    /** Header text is ASCII by contract; anything else (a handler's bug) is written as '?', never split. */
    private static void writeAscii(final ByteBuf out, final CharSequence s)
    {
        if (s instanceof AsciiString a)
        {
            out.writeBytes(a.array(), a.arrayOffset(), a.length());
            return;
        }
        for (int i = 0, n = s.length(); i < n; i++)
        {
            final char c = s.charAt(i);
            out.writeByte(c < 0x80 && c != '\r' && c != '\n' ? c : '?');
        }
    }

    private static void writeDecimal(final ByteBuf out, final int value)
    {
        if (value < 10)
        {
            out.writeByte('0' + value);
            return;
        }
        final int start = out.writerIndex();
        int v = value;
        while (v > 0)
        {
            out.writeByte('0' + v % 10);
            v /= 10;
        }
        for (int i = start, j = out.writerIndex() - 1; i < j; i++, j--)
        {
            final byte t = out.getByte(i);
            out.setByte(i, out.getByte(j));
            out.setByte(j, t);
        }
    }
}
