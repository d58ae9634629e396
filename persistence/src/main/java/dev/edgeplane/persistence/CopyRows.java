package dev.edgeplane.persistence;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Rows for PostgreSQL {@code COPY … FROM STDIN} in text format, built straight into one reusable byte
 * buffer: the write-behind's bulk path (no per-row statement, bind or speculative insertion).
 *
 * <p>Text format (PostgreSQL docs, "COPY", File Formats): columns separated by a tab, rows ended by a
 * newline, {@code \N} for null, backslash escapes for backslash, tab, newline and carriage return.
 * NUL, which {@code text} and {@code jsonb} refuse even escaped, becomes U+FFFD, as in
 * {@link JsonPayloads}.
 *
 * <p>Not thread-safe: one instance per sink, used by the flusher thread.
 */
public final class CopyRows
{
    private static final byte[] NULL = {'\\', 'N'};
    private static final byte[] REPLACEMENT = "\ufffd".getBytes(StandardCharsets.UTF_8);
    private static final byte[] JSON_NUL = "\\u0000".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] JSON_REPLACEMENT = "\\\\ufffd".getBytes(StandardCharsets.US_ASCII); // \ufffd, COPY-escaped

    private byte[] buf = new byte[64 * 1024];
    private int length;
    private int rows;
    private boolean rowStarted;

    /** Forgets all rows. */
    public CopyRows clear()
    {
        length = 0;
        rows = 0;
        rowStarted = false;
        return this;
    }

    /** @return rows ended so far. */
    public int rows()
    {
        return rows;
    }

    /** Appends {@code v} (0 or more) zero-padded to at least {@code width} digits, then {@code after}. */
    private void digits(final int v, final int width, final char after)
    {
        int n = 1;
        for (int rest = v / 10; rest > 0; rest /= 10)
        {
            n++;
        }
        n = Math.max(n, width);
        ensure(n + 1);
        for (int i = length + n - 1, x = v; i >= length; i--, x /= 10)
        {
            buf[i] = (byte)('0' + x % 10);
        }
        length += n;
        buf[length++] = (byte)after;
    }

    private void separator()
    {
        if (rowStarted)
        {
            put((byte)'\t');
        }
        rowStarted = true;
    }

    /** Appends a text column (null, or empty, is SQL null). */
    public CopyRows text(final CharSequence s)
    {
        separator();
        if (s == null || s.length() == 0)
        {
            put(NULL, 0, 2);
            return this;
        }
        for (int i = 0, n = s.length(); i < n; i++)
        {
            final char c = s.charAt(i);
            if (c < 0x80)
            {
                escaped((byte)c);
            }
            else
            {
                final String rest = s.subSequence(i, n).toString().replace('\0', '\ufffd');
                final byte[] utf8 = rest.getBytes(StandardCharsets.UTF_8);
                for (final byte b : utf8)
                {
                    escaped(b); // multi-byte UTF-8 bytes are all >= 0x80: never escaped
                }
                break;
            }
        }
        return this;
    }

    /** Appends a whole number column. */
    public CopyRows number(final long v)
    {
        separator();
        if (v == Long.MIN_VALUE)
        {
            final byte[] text = Long.toString(v).getBytes(StandardCharsets.US_ASCII);
            put(text, 0, text.length);
            return this;
        }
        long x = v;
        if (x < 0)
        {
            put((byte)'-');
            x = -x;
        }
        final int start = length;
        do
        {
            put((byte)('0' + (x % 10)));
            x /= 10;
        }
        while (x != 0);
        for (int i = start, j = length - 1; i < j; i++, j--)
        {
            final byte t = buf[i];
            buf[i] = buf[j];
            buf[j] = t;
        }
        return this;
    }

    /** Appends a {@code timestamptz} column in UTC from epoch milliseconds; 0 or less is null. */
    public CopyRows timestamp(final long epochMillis)
    {
        separator();
        if (epochMillis <= 0)
        {
            put(NULL, 0, 2);
            return this;
        }
        // yyyy-MM-dd HH:mm:ss.SSS+00, digit by digit: this runs for every timestamp of every row.
        final LocalDateTime t = LocalDateTime.ofEpochSecond(Math.floorDiv(epochMillis, 1000), 0, ZoneOffset.UTC);
        digits(t.getYear(), 4, '-');
        digits(t.getMonthValue(), 2, '-');
        digits(t.getDayOfMonth(), 2, ' ');
        digits(t.getHour(), 2, ':');
        digits(t.getMinute(), 2, ':');
        digits(t.getSecond(), 2, '.');
        digits((int)Math.floorMod(epochMillis, 1000), 3, '+');
        put((byte)'0');
        put((byte)'0');
        return this;
    }

    /**
     * Appends a {@code jsonb} column from UTF-8 JSON text as it is (never parsed here); a JSON
     * {@code \u0000} escape becomes {@code \ufffd}. Empty is SQL null.
     */
    public CopyRows json(final byte[] utf8, final int offset, final int len)
    {
        separator();
        if (len == 0)
        {
            put(NULL, 0, 2);
            return this;
        }
        final int end = offset + len;
        for (int i = offset; i < end; i++)
        {
            final byte b = utf8[i];
            if (b == '\\' && i + 1 < end)
            {
                // In valid JSON every backslash opens an escape: copy it whole.
                if (i + 6 <= end && Arrays.equals(utf8, i, i + 6, JSON_NUL, 0, 6))
                {
                    put(JSON_REPLACEMENT, 0, JSON_REPLACEMENT.length);
                    i += 5;
                    continue;
                }
                escaped(b);
                escaped(utf8[++i]);
                continue;
            }
            escaped(b);
        }
        return this;
    }

    /** Ends the current row. */
    public CopyRows endRow()
    {
        put((byte)'\n');
        rowStarted = false;
        rows++;
        return this;
    }

    /**
     * Runs {@code copySql} ({@code COPY table (columns) FROM STDIN}) with the rows. When PostgreSQL refuses
     * the data (a unique key already present: a batch replayed after the journal lost its tail, a second
     * call record for a Call-ID) the {@link SQLException} (SQL state {@code 23505}) aborts the transaction;
     * the flusher rolls it back and has the sink {@link JournalSink#rewrite rewrite} the batch row by row.
     */
    public void copyInto(final Connection c, final String copySql) throws SQLException
    {
        if (rows == 0)
        {
            return;
        }
        final CopyIn copy = c.unwrap(PGConnection.class).getCopyAPI().copyIn(copySql);
        try
        {
            copy.writeToCopy(buf, 0, length);
            copy.endCopy();
        }
        finally
        {
            if (copy.isActive())
            {
                copy.cancelCopy();
            }
        }
    }

    private void escaped(final byte b)
    {
        switch (b)
        {
            case '\\' -> { put((byte)'\\'); put((byte)'\\'); }
            case '\t' -> { put((byte)'\\'); put((byte)'t'); }
            case '\n' -> { put((byte)'\\'); put((byte)'n'); }
            case '\r' -> { put((byte)'\\'); put((byte)'r'); }
            case 0 -> put(REPLACEMENT, 0, REPLACEMENT.length);
            default -> put(b);
        }
    }

    private void put(final byte b)
    {
        if (length == buf.length)
        {
            buf = Arrays.copyOf(buf, buf.length * 2);
        }
        buf[length++] = b;
    }

    private void put(final byte[] src, final int offset, final int len)
    {
        ensure(len);
        System.arraycopy(src, offset, buf, length, len);
        length += len;
    }

    private void ensure(final int more)
    {
        if (length + more > buf.length)
        {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, length + more));
        }
    }
}
