package dev.edgeplane.server;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * One request's head as {@link RequestParser} read it: the method, the target, the version, and the
 * header fields as offsets into a copy of the head's bytes. Reused for every request on a connection;
 * a header value becomes a {@code String} only when a handler asks for it.
 *
 * <p>Not thread-safe: written by the connection's event loop before a request is handled, read by the
 * handler and by the shard task it hands the exchange to (the hand-off publishes it).
 */
public final class RequestHead
{
    /** Header fields: name start, name end, value start, value end, per field. */
    private int[] fields = new int[4 * 16];
    private int fieldCount;
    byte[] bytes = new byte[1024];

    String method;
    String uri;
    /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
    int minorVersion;
    /** Declared {@code Content-Length}, or -1. */
    long contentLength;
    boolean chunked;
    boolean connectionClose;
    boolean connectionKeepAlive;
    boolean connectionUpgrade;
    boolean expectContinue;
    private HttpHeaders headers;

    void reset()
    {
        fieldCount = 0;
        method = null;
        uri = null;
        minorVersion = 1;
        contentLength = -1;
        chunked = false;
        connectionClose = false;
        connectionKeepAlive = false;
        connectionUpgrade = false;
        expectContinue = false;
        headers = null;
    }

    /** Makes room for a head of {@code length} bytes. */
    byte[] bytes(final int length)
    {
        if (bytes.length < length)
        {
            bytes = new byte[Math.max(length, bytes.length * 2)];
        }
        return bytes;
    }

    void addField(final int nameStart, final int nameEnd, final int valueStart, final int valueEnd)
    {
        final int i = fieldCount * 4;
        if (i + 4 > fields.length)
        {
            fields = Arrays.copyOf(fields, fields.length * 2);
        }
        fields[i] = nameStart;
        fields[i + 1] = nameEnd;
        fields[i + 2] = valueStart;
        fields[i + 3] = valueEnd;
        fieldCount++;
    }

    /** @return the method as sent ({@code GET}, {@code POST}…). */
    public String method()
    {
        return method;
    }

    /** @return the request-target in origin form, query included. */
    public String uri()
    {
        return uri;
    }

    /** @return true for an HTTP/1.1 request, false for HTTP/1.0. */
    public boolean http11()
    {
        return minorVersion == 1;
    }

    /** @return whether the connection may carry another request after this one's answer. */
    boolean keepAlive()
    {
        return minorVersion == 1 ? !connectionClose : connectionKeepAlive && !connectionClose;
    }

    /** @return the first value of a header field (name matched case-insensitively), or null. */
    public String header(final CharSequence name)
    {
        final int i = find(name);
        return i < 0 ? null : new String(bytes, fields[i + 2], fields[i + 3] - fields[i + 2], StandardCharsets.ISO_8859_1);
    }

    /** @return whether a header field is present with a value equal to {@code value}, ignoring ASCII case. */
    public boolean headerEquals(final CharSequence name, final String value)
    {
        final int i = find(name);
        return i >= 0 && equalsIgnoreCase(bytes, fields[i + 2], fields[i + 3], value);
    }

    /** @return every header field as Netty headers, built on first use (rare consumers: telemetry). */
    public HttpHeaders headers()
    {
        if (headers == null)
        {
            headers = DefaultHttpHeadersFactory.headersFactory().withValidation(false).newHeaders();
            for (int f = 0; f < fieldCount * 4; f += 4)
            {
                headers.add(text(fields[f], fields[f + 1]), text(fields[f + 2], fields[f + 3]));
            }
        }
        return headers;
    }

    private String text(final int start, final int end)
    {
        return new String(bytes, start, end - start, StandardCharsets.ISO_8859_1);
    }

    private int find(final CharSequence name)
    {
        final int n = name.length();
        for (int f = 0; f < fieldCount * 4; f += 4)
        {
            final int start = fields[f];
            if (fields[f + 1] - start == n && equalsIgnoreCase(bytes, start, start + n, name))
            {
                return f;
            }
        }
        return -1;
    }

    static boolean equalsIgnoreCase(final byte[] bytes, final int start, final int end, final CharSequence text)
    {
        if (end - start != text.length())
        {
            return false;
        }
        for (int i = start; i < end; i++)
        {
            final int a = bytes[i] & 0xFF;
            final int b = text.charAt(i - start);
            if (a != b && ((a ^ b) != 0x20 || !isLetter(a)))
            {
                return false;
            }
        }
        return true;
    }

    private static boolean isLetter(final int c)
    {
        final int lower = c | 0x20;
        return lower >= 'a' && lower <= 'z';
    }
}
