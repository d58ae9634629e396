package dev.edgeplane.controlplane;

import java.nio.charset.StandardCharsets;

import dev.edgeplane.codec.JsonBuffer;

/**
 * The journal layout of one call-trace event: a fixed binary head and the event's detail as JSON text,
 * so the write-behind copies the detail into PostgreSQL without parsing it.
 *
 * <pre>
 *   byte     format (1)
 *   u16 + n  call id, UTF-8
 *   u16 + n  account id, UTF-8 (0 bytes: none)
 *   i64      timestamp, epoch milliseconds
 *   u8 + n   kind, ASCII
 *   rest     detail, a JSON object (UTF-8)
 * </pre>
 *
 * Entries journaled before this layout (a JSON object: first byte {@code '{'}) are still read, by
 * {@link HistorySinks.Traces}.
 *
 * <p>Stateless; {@link View} is a reusable flyweight, not thread-safe.
 */
final class TraceRecord
{
    static final byte FORMAT = 1;

    private TraceRecord()
    {
    }

    /** Writes the head; the caller then writes the detail JSON into the same buffer. */
    static void writeHead(final JsonBuffer out, final String callId, final String accountId, final long ts,
        final String kind)
    {
        out.write(FORMAT);
        text(out, callId);
        text(out, accountId == null ? "" : accountId);
        for (int shift = 56; shift >= 0; shift -= 8)
        {
            out.write((int)(ts >>> shift));
        }
        out.write(kind.length());
        for (int i = 0; i < kind.length(); i++)
        {
            out.write(kind.charAt(i));
        }
    }

    private static void text(final JsonBuffer out, final String s)
    {
        if (isAscii(s))
        {
            final int n = Math.min(s.length(), 0xFFFF);
            out.write(n >>> 8);
            out.write(n);
            for (int i = 0; i < n; i++)
            {
                out.write(s.charAt(i));
            }
            return;
        }
        final byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        final int n = Math.min(utf8.length, 0xFFFF);
        out.write(n >>> 8);
        out.write(n);
        out.write(utf8, 0, n);
    }

    private static boolean isAscii(final String s)
    {
        for (int i = 0, n = s.length(); i < n; i++)
        {
            if (s.charAt(i) >= 0x80)
            {
                return false;
            }
        }
        return true;
    }

    /** A read view over one journaled trace event (binary layout only). */
    static final class View
    {
        private byte[] bytes;
        private int callIdOffset;
        private int callIdLength;
        private int accountIdOffset;
        private int accountIdLength;
        private long ts;
        private int kindOffset;
        private int kindLength;
        private int detailOffset;

        /** @return false when the payload is not in the binary layout (or is cut short). */
        boolean wrap(final byte[] payload)
        {
            bytes = payload;
            if (payload.length < 1 + 2 + 2 + 8 + 1 || payload[0] != FORMAT)
            {
                return false;
            }
            int p = 1;
            callIdLength = u16(p);
            callIdOffset = p + 2;
            p = callIdOffset + callIdLength;
            if (p + 2 > payload.length)
            {
                return false;
            }
            accountIdLength = u16(p);
            accountIdOffset = p + 2;
            p = accountIdOffset + accountIdLength;
            if (p + 9 > payload.length)
            {
                return false;
            }
            long t = 0;
            for (int i = 0; i < 8; i++)
            {
                t = (t << 8) | (payload[p + i] & 0xFF);
            }
            ts = t;
            p += 8;
            kindLength = payload[p] & 0xFF;
            kindOffset = p + 1;
            detailOffset = kindOffset + kindLength;
            return detailOffset <= payload.length;
        }

        private int u16(final int p)
        {
            return ((bytes[p] & 0xFF) << 8) | (bytes[p + 1] & 0xFF);
        }

        String callId()
        {
            return new String(bytes, callIdOffset, callIdLength, StandardCharsets.UTF_8);
        }

        /** @return the account id, or null. */
        String accountId()
        {
            return accountIdLength == 0 ? null : new String(bytes, accountIdOffset, accountIdLength, StandardCharsets.UTF_8);
        }

        long ts()
        {
            return ts;
        }

        String kind()
        {
            return new String(bytes, kindOffset, kindLength, StandardCharsets.US_ASCII);
        }

        byte[] bytes()
        {
            return bytes;
        }

        int detailOffset()
        {
            return detailOffset;
        }

        int detailLength()
        {
            return bytes.length - detailOffset;
        }
    }
}
