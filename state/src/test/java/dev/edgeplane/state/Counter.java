package dev.edgeplane.state;

import net.openhft.chronicle.bytes.BytesIn;
import net.openhft.chronicle.bytes.BytesMarshallable;
import net.openhft.chronicle.bytes.BytesOut;

/** A fixed-layout test value: two longs and an int. */
final class Counter implements BytesMarshallable
{
    long count;
    long updatedAt;
    int flags;

    Counter set(final long count, final long updatedAt, final int flags)
    {
        this.count = count;
        this.updatedAt = updatedAt;
        this.flags = flags;
        return this;
    }

    @Override
    public void readMarshallable(final BytesIn<?> bytes)
    {
        count = bytes.readLong();
        updatedAt = bytes.readLong();
        flags = bytes.readInt();
    }

    @Override
    public void writeMarshallable(final BytesOut<?> bytes)
    {
        bytes.writeLong(count);
        bytes.writeLong(updatedAt);
        bytes.writeInt(flags);
    }

    static StoreSpec<Counter> spec(final long entries)
    {
        return new StoreSpec<>("counters", Counter.class, Counter::new, entries, "acc_01jf18ah3jeb5w6dfp27sgjsbt",
            new Counter(), true);
    }
}
