package dev.edgeplane.controlplane.media;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Range header semantics (RFC 9110 §14.1.2): one range, clamping, suffixes, unsatisfiable, ignored forms. */
class MediaByteRangeTest
{
    private static void partial(final String header, final long size, final long first, final long last)
    {
        final ByteRange r = ByteRange.parse(header, size);
        assertEquals(ByteRange.Kind.PARTIAL, r.kind(), header);
        assertEquals(first, r.first(), header);
        assertEquals(last, r.last(), header);
    }

    private static void kind(final String header, final long size, final ByteRange.Kind kind)
    {
        assertEquals(kind, ByteRange.parse(header, size).kind(), header);
    }

    @Test
    void shouldResolveSingleRanges()
    {
        partial("bytes=0-9", 100, 0, 9);
        partial("bytes=10-", 100, 10, 99);
        partial("bytes=-10", 100, 90, 99);
        partial("bytes=-1000", 100, 0, 99);     // suffix longer than the object: all of it
        partial("bytes=90-1000", 100, 90, 99);  // end clamped
        partial("BYTES= 5-5 ", 100, 5, 5);
        partial("bytes=99-99999999999999999999999", 100, 99, 99);
    }

    @Test
    void shouldFlagUnsatisfiableRanges()
    {
        kind("bytes=100-", 100, ByteRange.Kind.UNSATISFIABLE);
        kind("bytes=100-200", 100, ByteRange.Kind.UNSATISFIABLE);
        kind("bytes=-0", 100, ByteRange.Kind.UNSATISFIABLE);
        kind("bytes=0-", 0, ByteRange.Kind.UNSATISFIABLE);
        kind("bytes=-5", 0, ByteRange.Kind.UNSATISFIABLE);
        kind("bytes=99999999999999999999999-", 100, ByteRange.Kind.UNSATISFIABLE);
    }

    @Test
    void shouldIgnoreAbsentInvalidOtherUnitAndMultipleRanges()
    {
        kind(null, 100, ByteRange.Kind.WHOLE);
        kind("bytes=0-1,5-6", 100, ByteRange.Kind.WHOLE);
        kind("bytes=9-1", 100, ByteRange.Kind.WHOLE);
        kind("bytes=a-b", 100, ByteRange.Kind.WHOLE);
        kind("bytes=-", 100, ByteRange.Kind.WHOLE);
        kind("bytes=5", 100, ByteRange.Kind.WHOLE);
        kind("items=0-1", 100, ByteRange.Kind.WHOLE);
        kind("bytes=1-2-3", 100, ByteRange.Kind.WHOLE);
    }

    @Test
    void shouldShortenARangeToTheResponseLimit()
    {
        final ByteRange r = ByteRange.parse("bytes=10-", 100).limit(20);
        assertEquals(10, r.first());
        assertEquals(29, r.last());
        assertEquals(20, r.length());
    }
}
