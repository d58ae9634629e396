package dev.edgeplane.persistence;

import java.nio.MappedByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * A cursor over a {@link Journal} for one consumer: {@link #poll} hands out records appended after the last one it
 * returned, across segment rolls, as soon as the appender has published them.
 *
 * <p>Not thread-safe: one thread polls. It may run concurrently with appenders on other threads: the journal
 * publishes its append position with release semantics and {@code poll} reads it with acquire semantics before
 * touching the records, so only whole records are ever seen.
 *
 * <p>The reader keeps the segment it is positioned in mapped until it moves on or is {@link #close closed}, even if
 * {@link Journal#release} deletes the file meanwhile. If segments ahead of it are released before it gets there, it
 * continues with the oldest retained record.
 */
public final class JournalReader implements AutoCloseable
{
    private final Journal journal;
    private JournalSegment segment;
    private int offset;
    private long nextSeq;
    private final long skipThrough;
    private boolean closed;
    private final byte[] lastTypeBytes = new byte[JournalSegment.MAX_TYPE_LENGTH];
    private int lastTypeLength = -1;
    private String lastType;

    JournalReader(
        final Journal journal,
        final JournalSegment segment,
        final int offset,
        final long nextSeq,
        final long skipThrough)
    {
        this.journal = journal;
        this.segment = segment;
        this.offset = offset;
        this.nextSeq = nextSeq;
        this.skipThrough = skipThrough;
    }

    /**
     * Append up to {@code max} records that follow the last one returned and have been appended.
     *
     * @param out receives the records in seq order.
     * @param max the most to add.
     * @return the number added; 0 if there is nothing new (or the reader is closed).
     * @throws IllegalStateException if the journal's contents contradict its seqs (a bug or outside tampering).
     */
    public int poll(final List<JournalEntry> out, final int max)
    {
        Objects.requireNonNull(out, "out");
        if (closed)
        {
            return 0;
        }

        final long available = journal.publishedSeq();
        int count = 0;
        while (count < max && nextSeq <= available)
        {
            final int sealedLimit = segment.sealedLimit;
            if ((sealedLimit >= 0 && offset >= sealedLimit) ||
                offset + JournalSegment.HEADER_LENGTH > segment.capacity ||
                0 == segment.buffer.getInt(offset + JournalSegment.LENGTH_OFFSET))
            {
                if (!advance())
                {
                    break;
                }
                continue;
            }

            final JournalEntry entry = decode();
            offset += JournalSegment.align(segment.buffer.getInt(offset + JournalSegment.LENGTH_OFFSET));
            nextSeq++;
            if (entry.seq() > skipThrough)
            {
                out.add(entry);
                count++;
            }
        }
        return count;
    }

    /**
     * @return the seq of the last record handed out (or skipped over); the next poll starts after it.
     */
    public long lastSeq()
    {
        return nextSeq - 1;
    }

    /**
     * @return the journal this reader reads.
     */
    public Journal journal()
    {
        return journal;
    }

    /**
     * Let go of the mapped segment. Further polls return 0.
     */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            segment.release();
        }
    }

    private JournalEntry decode()
    {
        final MappedByteBuffer buffer = segment.buffer;
        final int length = buffer.getInt(offset + JournalSegment.LENGTH_OFFSET);
        final long seq = buffer.getLong(offset + JournalSegment.SEQ_OFFSET);
        if (seq != nextSeq)
        {
            throw new IllegalStateException(
                "journal " + journal.directory() + ": expected seq " + nextSeq + " in " + segment + " at offset " +
                offset + ", found " + seq);
        }
        final long timestamp = buffer.getLong(offset + JournalSegment.TIMESTAMP_OFFSET);
        final int typeLength = buffer.getShort(offset + JournalSegment.TYPE_LENGTH_OFFSET) & 0xFFFF;
        final int typeStart = offset + JournalSegment.TYPE_OFFSET;
        final byte[] payload = new byte[length - JournalSegment.HEADER_LENGTH - typeLength];
        buffer.get(typeStart + typeLength, payload);
        return new JournalEntry(journal.id(), seq, timestamp, type(buffer, typeStart, typeLength), payload);
    }

    /**
     * Most batches carry a handful of types: reuse the last decoded string while the bytes match.
     */
    private String type(final MappedByteBuffer buffer, final int start, final int length)
    {
        boolean same = length == lastTypeLength;
        for (int i = 0; same && i < length; i++)
        {
            same = lastTypeBytes[i] == buffer.get(start + i);
        }
        if (!same)
        {
            buffer.get(start, lastTypeBytes, 0, length);
            lastTypeLength = length;
            lastType = new String(lastTypeBytes, 0, length, StandardCharsets.US_ASCII);
        }
        return lastType;
    }

    private boolean advance()
    {
        final JournalSegment next = journal.segmentFor(nextSeq);
        if (null == next)
        {
            return false;
        }
        if (next == segment)
        {
            next.release();
            throw new IllegalStateException(
                "journal " + journal.directory() + ": seq " + nextSeq + " is published but not in " + segment);
        }
        segment.release();
        segment = next;
        offset = 0;
        nextSeq = Math.max(nextSeq, next.firstSeq);
        return true;
    }
}
