package dev.edgeplane.tools;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * One pre-encoded HTTP/1.1 request head of the load generator: the request line and every header up to
 * {@code Content-Length: } are encoded once, so a request costs one pooled buffer, the body bytes and a few header
 * digits. The body is written first, after a reserved headroom, and the head is then placed right before it, so the
 * body length is known without a second buffer or a copy.
 *
 * <p>Usage, on one thread: {@code buf = template.begin(alloc)}; write the body into {@code buf} (the static writers
 * below help); {@code template.finish(buf)}; write {@code buf} to the channel (which releases it).
 *
 * <p>Immutable and thread-safe; the buffers it hands out belong to the caller.
 */
final class RequestTemplate
{
    /** Form bodies ({@code application/x-www-form-urlencoded}); every control-plane POST accepts them. */
    static final String FORM = "application/x-www-form-urlencoded";

    private static final byte[] CRLF_CRLF = {'\r', '\n', '\r', '\n'};
    /** Enough for the Content-Length digits of any body an int can measure, and the blank line. */
    private static final int LENGTH_ROOM = 10 + CRLF_CRLF.length;
    private static final int BODY_CAPACITY = 512;
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private final byte[] head;
    private final int headroom;
    private final boolean withBody;

    private RequestTemplate(final byte[] head, final boolean withBody)
    {
        this.head = head;
        this.withBody = withBody;
        this.headroom = withBody ? head.length + LENGTH_ROOM : 0;
    }

    /**
     * @param path        request target, e.g. {@code /route}.
     * @param host        the {@code Host} header value ({@code host:port}).
     * @param contentType the body's media type.
     * @param adminToken  sent as {@code x-admin-token} when not null.
     * @return a POST template; {@link #begin} then {@link #finish} around each body.
     */
    static RequestTemplate post(final String path, final String host, final String contentType, final String adminToken)
    {
        final StringBuilder head = headers("POST", path, host, adminToken);
        head.append("Content-Type: ").append(contentType).append("\r\n");
        head.append("Content-Length: ");
        return new RequestTemplate(head.toString().getBytes(StandardCharsets.ISO_8859_1), true);
    }

    /**
     * @param path       request target.
     * @param host       the {@code Host} header value.
     * @param adminToken sent as {@code x-admin-token} when not null.
     * @return a template of a complete GET request without a body; {@link #begin} returns it whole.
     */
    static RequestTemplate get(final String path, final String host, final String adminToken)
    {
        final StringBuilder head = headers("GET", path, host, adminToken);
        head.append("\r\n");
        return new RequestTemplate(head.toString().getBytes(StandardCharsets.ISO_8859_1), false);
    }

    private static StringBuilder headers(final String method, final String path, final String host, final String adminToken)
    {
        final StringBuilder head = new StringBuilder(192);
        head.append(method).append(' ').append(path).append(" HTTP/1.1\r\n");
        head.append("Host: ").append(host).append("\r\n");
        head.append("User-Agent: edgeplane-load\r\n");
        if (adminToken != null)
        {
            head.append("x-admin-token: ").append(adminToken).append("\r\n");
        }
        return head;
    }

    /**
     * @param alloc the channel's allocator.
     * @return for a POST template a buffer whose writer index is where the body goes; for a GET template the complete
     *         request (pass it to {@link #finish} all the same).
     */
    ByteBuf begin(final ByteBufAllocator alloc)
    {
        if (!withBody)
        {
            return alloc.directBuffer(head.length).writeBytes(head);
        }
        final ByteBuf buf = alloc.directBuffer(headroom + BODY_CAPACITY);
        buf.writerIndex(headroom);
        return buf;
    }

    /**
     * Place the head (with the body's length) right before the body written since {@link #begin}.
     *
     * @param buf the buffer {@link #begin} returned, with the body written.
     * @return {@code buf}, its reader index at the request's first byte.
     */
    ByteBuf finish(final ByteBuf buf)
    {
        if (!withBody)
        {
            return buf;
        }
        final int bodyLength = buf.writerIndex() - headroom;
        final int digits = decimalDigits(bodyLength);
        final int start = headroom - CRLF_CRLF.length - digits - head.length;
        buf.setBytes(start, head);
        setDecimal(buf, start + head.length, bodyLength, digits);
        buf.setBytes(headroom - CRLF_CRLF.length, CRLF_CRLF);
        buf.readerIndex(start);
        return buf;
    }

    /**
     * @param value a form field's value or name.
     * @return its {@code application/x-www-form-urlencoded} bytes (setup only: this allocates).
     */
    static byte[] formEncoded(final String value)
    {
        return java.net.URLEncoder.encode(value, StandardCharsets.UTF_8).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * @param text ASCII text.
     * @return its bytes (setup only).
     */
    static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Write a non-negative number in decimal without allocating.
     *
     * @param buf   where to write.
     * @param value 0 or more.
     */
    static void writeDecimal(final ByteBuf buf, final long value)
    {
        final int digits = decimalDigits(value);
        final int at = buf.writerIndex();
        buf.ensureWritable(digits);
        setDecimal(buf, at, value, digits);
        buf.writerIndex(at + digits);
    }

    /**
     * Write exactly {@code width} decimal digits of {@code value} (zero-padded, high digits dropped).
     *
     * @param buf   where to write.
     * @param value 0 or more.
     * @param width number of digits.
     */
    static void writeDigits(final ByteBuf buf, final long value, final int width)
    {
        final int at = buf.writerIndex();
        buf.ensureWritable(width);
        setDecimal(buf, at, value, width);
        buf.writerIndex(at + width);
    }

    /**
     * Write bytes as lowercase hex.
     *
     * @param buf   where to write.
     * @param bytes the bytes.
     * @param off   first byte.
     * @param len   number of bytes.
     */
    static void writeHex(final ByteBuf buf, final byte[] bytes, final int off, final int len)
    {
        buf.ensureWritable(2 * len);
        for (int i = off; i < off + len; i++)
        {
            buf.writeByte(HEX[(bytes[i] >> 4) & 0xf]);
            buf.writeByte(HEX[bytes[i] & 0xf]);
        }
    }

    /**
     * Put a non-negative number's lowercase hex digits into an array.
     *
     * @param into  target.
     * @param at    first index.
     * @param value 0 or more.
     * @return the index after the last digit.
     */
    static int putHex(final byte[] into, final int at, final long value)
    {
        final int digits = value == 0 ? 1 : (64 - Long.numberOfLeadingZeros(value) + 3) / 4;
        long v = value;
        for (int i = at + digits - 1; i >= at; i--)
        {
            into[i] = HEX[(int)(v & 0xf)];
            v >>>= 4;
        }
        return at + digits;
    }

    private static void setDecimal(final ByteBuf buf, final int at, final long value, final int digits)
    {
        long v = value;
        for (int i = at + digits - 1; i >= at; i--)
        {
            buf.setByte(i, (int)('0' + v % 10));
            v /= 10;
        }
    }

    private static int decimalDigits(final long value)
    {
        int digits = 1;
        long v = value;
        while (v >= 10)
        {
            v /= 10;
            digits++;
        }
        return digits;
    }
}
