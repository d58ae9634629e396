package dev.edgeplane.persistence;

import java.util.Arrays;
import java.util.Objects;
import java.util.UUID;

/**
 * One record read back from a {@link Journal}. Its identity is ({@code journalId}, {@code seq}), unique across data
 * directory wipes because every journal directory gets its own random id.
 *
 * <p>An immutable value as far as this class is concerned; {@code payload} is a private copy of the journal bytes that
 * consumers must not modify. Equality compares payload contents.
 *
 * @param journalId       id of the journal that holds the record.
 * @param seq             position in the journal, contiguous from 1.
 * @param timestampMillis wall-clock time of the append, in epoch milliseconds.
 * @param type            record type, US-ASCII, at most 255 characters; selects the {@link JournalSink}.
 * @param payload         the bytes appended.
 */
public record JournalEntry(UUID journalId, long seq, long timestampMillis, String type, byte[] payload)
{
    /**
     * Validate components.
     */
    public JournalEntry
    {
        Objects.requireNonNull(journalId, "journalId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(payload, "payload");
    }

    @Override
    public boolean equals(final Object o)
    {
        if (this == o)
        {
            return true;
        }
        if (!(o instanceof JournalEntry))
        {
            return false;
        }
        final JournalEntry that = (JournalEntry)o;
        return seq == that.seq && timestampMillis == that.timestampMillis && journalId.equals(that.journalId) &&
            type.equals(that.type) && Arrays.equals(payload, that.payload);
    }

    @Override
    public int hashCode()
    {
        return 31 * (31 * journalId.hashCode() + Long.hashCode(seq)) + Arrays.hashCode(payload);
    }

    @Override
    public String toString()
    {
        return "JournalEntry{journalId=" + journalId + ", seq=" + seq + ", timestampMillis=" + timestampMillis +
            ", type=" + type + ", payloadLength=" + payload.length + '}';
    }
}
