package dev.edgeplane.server;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ByteProcessor;

/**
 * An incremental HTTP/1.1 request parser (RFC 9112) over a connection's inbound bytes: a request head
 * into a reused {@link RequestHead}, then the body framed by {@code Content-Length} or the chunked
 * coding, handed out as regions of the input buffer, so nothing is allocated per request but the
 * target's {@code String}.
 *
 * <p>{@link #next} is called until it returns {@link #NEED_MORE}; each call consumes what it reports.
 * After {@link #ERROR} the input cannot be framed any more and the connection must close.
 *
 * <p>What it refuses (all {@code 400} unless said): a request line over the limit ({@code 414}), a head
 * over the limit ({@code 431}), a method that is not a token, a target with spaces or controls, a version
 * other than HTTP/1.0 or HTTP/1.1 ({@code 505}), whitespace before a field's colon, obsolete line folding,
 * control characters in a value, an HTTP/1.1 request without exactly one {@code Host}, {@code Content-Length}
 * values that disagree or are not digits, {@code Content-Length} with {@code Transfer-Encoding},
 * {@code Transfer-Encoding} on HTTP/1.0 or with {@code chunked} not last, a transfer coding other than
 * chunked ({@code 501}), a malformed chunk size, a chunk without its CRLF. Empty lines before a request
 * line are ignored (RFC 9112 §2.2); so are chunk extensions and trailer fields.
 *
 * <p>Not thread-safe: one per connection, on its event loop.
 */
final class RequestParser
{
    static final int NEED_MORE = 0;
    /** A head was parsed into {@link #head()}. */
    static final int HEAD = 1;
    /** Body bytes at {@link #dataIndex()} ({@link #dataLength()} of them); already consumed. */
    static final int DATA = 2;
    /** The request (head and body) is complete. */
    static final int END = 3;
    /** The input is malformed: see {@link #errorStatus()}. */
    static final int ERROR = 4;

    private static final int AWAIT_HEAD = 0;
    private static final int BODY_NONE = 1;
    private static final int BODY_LENGTH = 2;
    private static final int CHUNK_SIZE = 3;
    private static final int CHUNK_DATA = 4;
    private static final int CHUNK_END = 5;
    private static final int TRAILER = 6;
    private static final int FAILED = 7;

    /** Longest chunk-size line, extensions included. */
    private static final int MAX_CHUNK_LINE = 1024;

    private final RequestHead head = new RequestHead();
    private final int maxLineBytes;
    private final int maxHeaderBytes;

    private int state = AWAIT_HEAD;
    /** Bytes of the pending head already scanned for its end (relative to the reader index). */
    private int scanned;
    private long remaining;
    private int trailerBytes;
    private int dataIndex;
    /** The element {@link #element} found last, without its surrounding whitespace. */
    private int elementStart;
    private int elementEnd;
    private int dataLength;
    private HttpResponseStatus errorStatus;
    private String errorCode;
    private String errorMessage;

    RequestParser(final int maxLineBytes, final int maxHeaderBytes)
    {
        this.maxLineBytes = maxLineBytes;
        this.maxHeaderBytes = maxHeaderBytes;
    }

    RequestHead head()
    {
        return head;
    }

    int dataIndex()
    {
        return dataIndex;
    }

    int dataLength()
    {
        return dataLength;
    }

    HttpResponseStatus errorStatus()
    {
        return errorStatus;
    }

    String errorCode()
    {
        return errorCode;
    }

    String errorMessage()
    {
        return errorMessage;
    }

    /** @return whether a request has begun (some of its head or body was read) and is not complete. */
    boolean midRequest()
    {
        return state != AWAIT_HEAD || scanned > 0;
    }

    /** Parses what {@code in} holds, consuming it: one of {@link #NEED_MORE}, {@link #HEAD}, {@link #DATA}, {@link #END}, {@link #ERROR}. */
    int next(final ByteBuf in)
    {
        switch (state)
        {
            case AWAIT_HEAD:
                return head(in);
            case BODY_NONE:
                state = AWAIT_HEAD;
                return END;
            case BODY_LENGTH:
                return lengthData(in);
            case CHUNK_SIZE:
                return chunkSize(in);
            case CHUNK_DATA:
                return chunkData(in);
            case CHUNK_END:
                return chunkEnd(in);
            case TRAILER:
                return trailer(in);
            default:
                return ERROR;
        }
    }

    private int head(final ByteBuf in)
    {
        if (scanned == 0)
        {
            // RFC 9112 §2.2: a server SHOULD ignore at least one empty line received before the request line.
            while (in.isReadable())
            {
                final byte b = in.getByte(in.readerIndex());
                if (b != '\r' && b != '\n')
                {
                    break;
                }
                in.skipBytes(1);
            }
        }
        final int start = in.readerIndex();
        final int readable = in.readableBytes();
        final int limit = Math.min(readable, maxLineBytes + maxHeaderBytes + 4);
        // Find the empty line that ends the head: LF, optional CR, LF.
        int end = -1;
        int from = Math.max(0, scanned - 2);
        while (from < limit)
        {
            final int lf = in.indexOf(start + from, start + limit, (byte) '\n');
            if (lf < 0)
            {
                break;
            }
            final int rel = lf - start;
            if (rel > 0 && in.getByte(lf - 1) == '\n')
            {
                end = rel + 1;
                break;
            }
            if (rel > 1 && in.getByte(lf - 1) == '\r' && in.getByte(lf - 2) == '\n')
            {
                end = rel + 1;
                break;
            }
            from = rel + 1;
        }
        if (end < 0)
        {
            scanned = limit;
            final int firstLf = in.indexOf(start, start + Math.min(readable, maxLineBytes + 2), (byte) '\n');
            if (firstLf < 0 && readable > maxLineBytes + 1)
            {
                return fail(HttpResponseStatus.REQUEST_URI_TOO_LONG, "uri_too_long", "request line exceeds " + maxLineBytes + " bytes");
            }
            if (readable >= maxLineBytes + maxHeaderBytes + 4)
            {
                return fail(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "header_too_large",
                    "request headers exceed " + maxHeaderBytes + " bytes");
            }
            return NEED_MORE;
        }
        scanned = 0;
        head.reset();
        final byte[] bytes = head.bytes(end);
        in.readBytes(bytes, 0, end);
        return parseHead(bytes, end);
    }

    private int parseHead(final byte[] b, final int length)
    {
        final int lineEnd = lineEnd(b, 0);
        final int lineLength = contentEnd(b, lineEnd);
        if (lineLength > maxLineBytes)
        {
            return fail(HttpResponseStatus.REQUEST_URI_TOO_LONG, "uri_too_long", "request line exceeds " + maxLineBytes + " bytes");
        }
        if (length - lineEnd - 1 > maxHeaderBytes + 2)
        {
            return fail(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "header_too_large",
                "request headers exceed " + maxHeaderBytes + " bytes");
        }
        if (requestLine(b, lineLength) != HEAD)
        {
            return ERROR;
        }
        int hosts = 0;
        boolean transferEncoding = false;
        int pos = lineEnd + 1;
        while (true)
        {
            final int eol = lineEnd(b, pos);
            final int valueEnd0 = contentEnd(b, eol);
            if (valueEnd0 == pos)
            {
                break; // the empty line
            }
            final byte first = b[pos];
            if (first == ' ' || first == '\t')
            {
                return fail(HttpResponseStatus.BAD_REQUEST, "bad_request", "obsolete line folding in a header field is refused");
            }
            int colon = pos;
            while (colon < valueEnd0 && isToken(b[colon]))
            {
                colon++;
            }
            if (colon == pos || colon == valueEnd0 || b[colon] != ':')
            {
                return fail(HttpResponseStatus.BAD_REQUEST, "bad_request", "malformed header field");
            }
            int valueStart = colon + 1;
            while (valueStart < valueEnd0 && (b[valueStart] == ' ' || b[valueStart] == '\t'))
            {
                valueStart++;
            }
            int valueEnd = valueEnd0;
            while (valueEnd > valueStart && (b[valueEnd - 1] == ' ' || b[valueEnd - 1] == '\t'))
            {
                valueEnd--;
            }
            for (int i = valueStart; i < valueEnd; i++)
            {
                final int c = b[i] & 0xFF;
                if (c < 0x20 && c != '\t' || c == 0x7F)
                {
                    return fail(HttpResponseStatus.BAD_REQUEST, "bad_request", "control character in a header value");
                }
            }
            head.addField(pos, colon, valueStart, valueEnd);
            switch (colon - pos)
            {
                case 4:
                    if (RequestHead.equalsIgnoreCase(b, pos, colon, "host"))
                    {
                        hosts++;
                    }
                    break;
                case 6:
                    if (RequestHead.equalsIgnoreCase(b, pos, colon, "expect"))
                    {
                        head.expectContinue |= RequestHead.equalsIgnoreCase(b, valueStart, valueEnd, "100-continue");
                    }
                    break;
                case 10:
                    if (RequestHead.equalsIgnoreCase(b, pos, colon, "connection"))
                    {
                        connectionTokens(b, valueStart, valueEnd);
                    }
                    break;
                case 14:
                    if (RequestHead.equalsIgnoreCase(b, pos, colon, "content-length") && contentLength(b, valueStart, valueEnd) == ERROR)
                    {
                        return ERROR;
                    }
                    break;
                case 17:
                    if (RequestHead.equalsIgnoreCase(b, pos, colon, "transfer-encoding"))
                    {
                        transferEncoding = true;
                        if (transferCodings(b, valueStart, valueEnd) == ERROR)
                        {
                            return ERROR;
                        }
                    }
                    break;
                default:
                    break;
            }
            pos = eol + 1;
        }
        if (head.minorVersion == 1 && hosts != 1)
        {
            return fail(HttpResponseStatus.BAD_REQUEST, "bad_request",
                hosts == 0 ? "an HTTP/1.1 request needs a Host header" : "more than one Host header");
        }
        if (transferEncoding)
        {
            if (head.contentLength >= 0)
            {
                return fail(HttpResponseStatus.BAD_REQUEST, "bad_request",
                    "a request with both Content-Length and Transfer-Encoding is refused (RFC 9112 section 6.1)");
            }
            if (head.minorVersion == 0)
            {
                return fail(HttpResponseStatus.BAD_REQUEST, "bad_request", "Transfer-Encoding is not allowed in HTTP/1.0");
            }
            if (!head.chunked)
            {
                return fail(HttpResponseStatus.BAD_REQUEST, "bad_request", "the final transfer coding must be chunked");
            }
            state = CHUNK_SIZE;
        }
        else if (head.contentLength > 0)
        {
            remaining = head.contentLength;
            state = BODY_LENGTH;
        }
        else
        {
            state = BODY_NONE;
        }
        return HEAD;
    }

    private int requestLine(final byte[] b, final int end)
    {
        int sp = 0;
        while (sp < end && isToken(b[sp]))
        {
            sp++;
        }
        if (sp == 0 || sp == end || b[sp] != ' ')
        {
            return fail(HttpResponseStatus.BAD_REQUEST, "bad_request", "malformed request line");
        }
        head.method = method(b, sp);
        final int targetStart = sp + 1;
        int targetEnd = targetStart;
        while (targetEnd < end && (b[targetEnd] & 0xFF) > 0x20 && b[targetEnd] != 0x7F)
        {
            targetEnd++;
        }
        if (targetEnd == targetStart || targetEnd == end || b[targetEnd] != ' ')
        {
            return fail(HttpResponseStatus.BAD_REQUEST, "bad_request", "malformed request line");
        }
        final int v = targetEnd + 1;
        if (end - v != 8 || b[v] != 'H' || b[v + 1] != 'T' || b[v + 2] != 'T' || b[v + 3] != 'P' || b[v + 4] != '/'
            || !isDigit(b[v + 5]) || b[v + 6] != '.' || !isDigit(b[v + 7]))
        {
            return fail(HttpResponseStatus.BAD_REQUEST, "bad_request", "malformed HTTP version in the request line");
        }
        if (b[v + 5] != '1' || b[v + 7] > '1')
        {
            return fail(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, "http_version_not_supported",
                "this server speaks HTTP/1.1 and HTTP/1.0, not " + new String(b, v, 8, StandardCharsets.US_ASCII));
        }
        head.minorVersion = b[v + 7] - '0';
        head.uri = originForm(b, targetStart, targetEnd);
        return HEAD;
    }

    /** Absolute-form targets ({@code http://host/path?q}, RFC 9112 §3.2.2) become origin form, so routing sees the path. */
    private static String originForm(final byte[] b, final int start, final int end)
    {
        int from = start;
        final int scheme = RequestHead.equalsIgnoreCase(b, start, Math.min(end, start + 7), "http://") ? 7
            : RequestHead.equalsIgnoreCase(b, start, Math.min(end, start + 8), "https://") ? 8 : -1;
        if (scheme > 0)
        {
            from = start + scheme;
            while (from < end && b[from] != '/' && b[from] != '?')
            {
                from++;
            }
            if (from == end)
            {
                return "/";
            }
            if (b[from] == '?')
            {
                return "/" + new String(b, from, end - from, StandardCharsets.ISO_8859_1);
            }
        }
        return new String(b, from, end - from, StandardCharsets.ISO_8859_1);
    }

    private static String method(final byte[] b, final int length)
    {
        if (length == 3 && b[0] == 'G' && b[1] == 'E' && b[2] == 'T')
        {
            return "GET";
        }
        if (length == 4 && b[0] == 'P' && b[1] == 'O' && b[2] == 'S' && b[3] == 'T')
        {
            return "POST";
        }
        if (length == 3 && b[0] == 'P' && b[1] == 'U' && b[2] == 'T')
        {
            return "PUT";
        }
        return new String(b, 0, length, StandardCharsets.US_ASCII);
    }

    /**
     * Finds the comma-separated list element that starts at {@code from} (RFC 9110 §5.6.1) and trims its
     * optional whitespace into {@link #elementStart}..{@link #elementEnd}.
     *
     * @return where the next element starts (past the comma).
     */
    private int element(final byte[] b, final int from, final int end)
    {
        int t = from;
        int e = from;
        while (e < end && b[e] != ',')
        {
            e++;
        }
        final int next = e + 1;
        while (t < e && (b[t] == ' ' || b[t] == '\t'))
        {
            t++;
        }
        while (e > t && (b[e - 1] == ' ' || b[e - 1] == '\t'))
        {
            e--;
        }
        elementStart = t;
        elementEnd = e;
        return next;
    }

    private void connectionTokens(final byte[] b, final int start, final int end)
    {
        int t = start;
        while (t < end)
        {
            final int next = element(b, t, end);
            t = elementStart;
            final int e = elementEnd;
            head.connectionClose |= RequestHead.equalsIgnoreCase(b, t, e, "close");
            head.connectionKeepAlive |= RequestHead.equalsIgnoreCase(b, t, e, "keep-alive");
            head.connectionUpgrade |= RequestHead.equalsIgnoreCase(b, t, e, "upgrade");
            t = next;
        }
    }

    /** A list of equal decimal values ({@code 5} or {@code 5, 5}, also across repeated fields) is one length. */
    private int contentLength(final byte[] b, final int start, final int end)
    {
        int t = start;
        while (t <= end)
        {
            final int next = element(b, t, end);
            t = elementStart;
            final int e = elementEnd;
            if (t == e)
            {
                return fail(HttpResponseStatus.BAD_REQUEST, "bad_request", "invalid Content-Length");
            }
            long value = 0;
            for (int i = t; i < e; i++)
            {
                if (!isDigit(b[i]))
                {
                    return fail(HttpResponseStatus.BAD_REQUEST, "bad_request", "invalid Content-Length");
                }
                value = value > (Long.MAX_VALUE - 9) / 10 ? Long.MAX_VALUE : value * 10 + (b[i] - '0');
            }
            if (head.contentLength >= 0 && head.contentLength != value)
            {
                return fail(HttpResponseStatus.BAD_REQUEST, "bad_request", "conflicting Content-Length values");
            }
            head.contentLength = value;
            t = next;
        }
        return HEAD;
    }

    private int transferCodings(final byte[] b, final int start, final int end)
    {
        int t = start;
        while (t <= end)
        {
            final int next = element(b, t, end);
            t = elementStart;
            final int e = elementEnd;
            if (t < e)
            {
                if (head.chunked)
                {
                    return fail(HttpResponseStatus.BAD_REQUEST, "bad_request", "the final transfer coding must be chunked");
                }
                if (RequestHead.equalsIgnoreCase(b, t, e, "chunked"))
                {
                    head.chunked = true;
                }
                else
                {
                    return fail(HttpResponseStatus.NOT_IMPLEMENTED, "not_implemented",
                        "transfer coding " + new String(b, t, Math.min(e - t, 40), StandardCharsets.ISO_8859_1) + " is not supported");
                }
            }
            t = next;
        }
        return HEAD;
    }

    private int lengthData(final ByteBuf in)
    {
        final int n = (int) Math.min(remaining, in.readableBytes());
        if (n == 0)
        {
            return NEED_MORE;
        }
        remaining -= n;
        if (remaining == 0)
        {
            state = BODY_NONE;
        }
        return data(in, n);
    }

    private int data(final ByteBuf in, final int n)
    {
        dataIndex = in.readerIndex();
        dataLength = n;
        in.skipBytes(n);
        return DATA;
    }

    private int chunkSize(final ByteBuf in)
    {
        final int start = in.readerIndex();
        final int lf = in.indexOf(start, start + Math.min(in.readableBytes(), MAX_CHUNK_LINE), (byte) '\n');
        if (lf < 0)
        {
            return in.readableBytes() >= MAX_CHUNK_LINE ? fail(HttpResponseStatus.BAD_REQUEST, "bad_request", "chunk size line too long")
                : NEED_MORE;
        }
        final int end = lf > start && in.getByte(lf - 1) == '\r' ? lf - 1 : lf;
        long size = 0;
        int i = start;
        for (; i < end; i++)
        {
            final int digit = Character.digit(in.getByte(i), 16);
            if (digit < 0)
            {
                break;
            }
            if (size > 0x07FF_FFFF_FFFF_FFFFL)
            {
                return fail(HttpResponseStatus.BAD_REQUEST, "bad_request", "chunk size too large");
            }
            size = size * 16 + digit;
        }
        if (i == start || i < end && in.getByte(i) != ';' && in.getByte(i) != ' ' && in.getByte(i) != '\t')
        {
            return fail(HttpResponseStatus.BAD_REQUEST, "bad_request", "malformed chunk size");
        }
        in.readerIndex(lf + 1);
        if (size == 0)
        {
            trailerBytes = 0;
            state = TRAILER;
            return trailer(in);
        }
        remaining = size;
        state = CHUNK_DATA;
        return chunkData(in);
    }

    private int chunkData(final ByteBuf in)
    {
        final int n = (int) Math.min(remaining, in.readableBytes());
        if (n == 0)
        {
            return NEED_MORE;
        }
        remaining -= n;
        if (remaining == 0)
        {
            state = CHUNK_END;
        }
        return data(in, n);
    }

    private int chunkEnd(final ByteBuf in)
    {
        if (!in.isReadable())
        {
            return NEED_MORE;
        }
        final byte first = in.getByte(in.readerIndex());
        if (first == '\n')
        {
            in.skipBytes(1);
        }
        else if (first == '\r')
        {
            if (in.readableBytes() < 2)
            {
                return NEED_MORE;
            }
            if (in.getByte(in.readerIndex() + 1) != '\n')
            {
                return fail(HttpResponseStatus.BAD_REQUEST, "bad_request", "chunk data not followed by CRLF");
            }
            in.skipBytes(2);
        }
        else
        {
            return fail(HttpResponseStatus.BAD_REQUEST, "bad_request", "chunk data not followed by CRLF");
        }
        state = CHUNK_SIZE;
        return chunkSize(in);
    }

    /** Trailer fields are read and dropped, up to the empty line that ends the message. */
    private int trailer(final ByteBuf in)
    {
        while (true)
        {
            final int start = in.readerIndex();
            final int lf = in.forEachByte(start, in.readableBytes(), ByteProcessor.FIND_LF);
            if (lf < 0)
            {
                return trailerBytes + in.readableBytes() > maxHeaderBytes
                    ? fail(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "header_too_large", "trailer fields too large")
                    : NEED_MORE;
            }
            final int length = lf > start && in.getByte(lf - 1) == '\r' ? lf - 1 - start : lf - start;
            trailerBytes += lf + 1 - start;
            if (trailerBytes > maxHeaderBytes)
            {
                return fail(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "header_too_large", "trailer fields too large");
            }
            in.readerIndex(lf + 1);
            if (length == 0)
            {
                state = AWAIT_HEAD;
                return END;
            }
        }
    }

    private int fail(final HttpResponseStatus status, final String code, final String message)
    {
        state = FAILED;
        errorStatus = status;
        errorCode = code;
        errorMessage = message;
        return ERROR;
    }

    /** @return the index of the LF ending the line that starts at {@code from} (the head always ends in one). */
    private static int lineEnd(final byte[] b, final int from)
    {
        int i = from;
        while (b[i] != '\n')
        {
            i++;
        }
        return i;
    }

    /** @return where a line's content ends, given its LF: before the CR if there is one. */
    private static int contentEnd(final byte[] b, final int lf)
    {
        return lf > 0 && b[lf - 1] == '\r' ? lf - 1 : lf;
    }

    private static boolean isDigit(final byte c)
    {
        return c >= '0' && c <= '9';
    }

    /** RFC 9110 §5.6.2 tchar. */
    private static boolean isToken(final byte c)
    {
        if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9')
        {
            return true;
        }
        switch (c)
        {
            case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-': case '.':
            case '^': case '_': case '`': case '|': case '~':
                return true;
            default:
                return false;
        }
    }
}
