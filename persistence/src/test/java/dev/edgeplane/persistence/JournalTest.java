package dev.edgeplane.persistence;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JournalTest
{
    private static final JournalSettings TINY_SEGMENTS = JournalSettings.defaults()
        .withSegmentSizeBytes(1024)
        .withFsyncPolicy(JournalSettings.FsyncPolicy.NONE);

    private static final JournalSettings ONE_SEGMENT = JournalSettings.defaults()
        .withSegmentSizeBytes(1 << 20)
        .withFsyncPolicy(JournalSettings.FsyncPolicy.NONE);

    @TempDir
    Path directory;

    @Test
    void shouldReadBackEveryRecordAcrossSegmentRolls() throws IOException
    {
        final List<byte[]> payloads = new ArrayList<>();
        try (Journal journal = Journal.open(directory, TINY_SEGMENTS))
        {
            assertEquals(0, journal.lastSeq());
            for (int i = 0; i < 300; i++)
            {
                final byte[] payload = payload(i, i % 97);
                payloads.add(payload);
                assertEquals(i + 1, journal.append("type." + (i % 3), payload));
            }
            assertEquals(300, journal.lastSeq());

            final List<JournalEntry> entries = readAll(journal, 0, 7);
            assertEquals(300, entries.size());
            for (int i = 0; i < 300; i++)
            {
                final JournalEntry entry = entries.get(i);
                assertEquals(journal.id(), entry.journalId());
                assertEquals(i + 1, entry.seq());
                assertEquals("type." + (i % 3), entry.type());
                assertArrayEquals(payloads.get(i), entry.payload());
                assertTrue(entry.timestampMillis() > 0);
            }
        }
        assertTrue(segmentFiles().size() > 10, "tiny segments should have rolled many times");
    }

    @Test
    void shouldStartReaderAfterGivenSeq() throws IOException
    {
        try (Journal journal = Journal.open(directory, TINY_SEGMENTS))
        {
            for (int i = 0; i < 50; i++)
            {
                journal.append("t", payload(i, 40));
            }

            final List<JournalEntry> entries = readAll(journal, 37, 100);

            assertEquals(13, entries.size());
            assertEquals(38, entries.get(0).seq());
            assertArrayEquals(payload(37, 40), entries.get(0).payload());
            assertEquals(0, readAll(journal, 50, 100).size());
        }
    }

    @Test
    void shouldHandOutRecordsAppendedAfterReaderReachedTheEnd() throws IOException
    {
        try (Journal journal = Journal.open(directory, TINY_SEGMENTS);
            JournalReader reader = journal.reader(0))
        {
            final List<JournalEntry> out = new ArrayList<>();
            assertEquals(0, reader.poll(out, 10));
            for (int i = 0; i < 40; i++)
            {
                journal.append("t", payload(i, 100));
                assertEquals(1, reader.poll(out, 10));
            }
            assertEquals(40, out.size());
            assertEquals(40, reader.lastSeq());
        }
    }

    @Test
    void shouldContinueSeqsAndKeepIdentityAfterReopen() throws IOException
    {
        final UUID id;
        try (Journal journal = Journal.open(directory, TINY_SEGMENTS))
        {
            id = journal.id();
            for (int i = 0; i < 25; i++)
            {
                journal.append("t", payload(i, 60));
            }
        }

        try (Journal journal = Journal.open(directory, TINY_SEGMENTS))
        {
            assertEquals(id, journal.id());
            assertEquals(25, journal.lastSeq());
            assertEquals(26, journal.append("t", payload(25, 60)));
            final List<JournalEntry> entries = readAll(journal, 0, 100);
            assertEquals(26, entries.size());
            for (int i = 0; i < 26; i++)
            {
                assertArrayEquals(payload(i, 60), entries.get(i).payload());
            }
        }
        assertEquals(id.toString(), Files.readString(directory.resolve("journal.id")).strip());
    }

    @Test
    void shouldDropGarbledLastRecordAndReuseItsSeq() throws IOException
    {
        try (Journal journal = Journal.open(directory, ONE_SEGMENT))
        {
            for (int i = 0; i < 5; i++)
            {
                journal.append("t", payload(i, 50));
            }
        }
        final Path segment = segmentFiles().get(0);
        final int last = recordOffsets(segment).get(4);
        writeAt(segment, last + 40, "garbage!".getBytes(StandardCharsets.US_ASCII));

        try (Journal journal = Journal.open(directory, ONE_SEGMENT))
        {
            assertEquals(4, journal.lastSeq());
            assertEquals(1, journal.recoveryProblems().size(), journal.recoveryProblems().toString());
            assertTrue(journal.recoveryProblems().get(0).startsWith("torn tail: CRC mismatch"),
                journal.recoveryProblems().toString());
            assertEquals(5, journal.append("t", "replacement".getBytes(StandardCharsets.US_ASCII)));
        }
        try (Journal journal = Journal.open(directory, ONE_SEGMENT))
        {
            assertEquals(List.of(), journal.recoveryProblems(), "the torn record was overwritten: clean again");
            final List<JournalEntry> entries = readAll(journal, 0, 100);
            assertEquals(5, entries.size());
            assertEquals("replacement", new String(entries.get(4).payload(), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void shouldDropPartiallyWrittenLastRecord() throws IOException
    {
        try (Journal journal = Journal.open(directory, ONE_SEGMENT))
        {
            for (int i = 0; i < 5; i++)
            {
                journal.append("t", payload(i, 200));
            }
        }
        final Path segment = segmentFiles().get(0);
        final int last = recordOffsets(segment).get(4);
        // A torn write: the header made it, the second half of the payload did not.
        writeAt(segment, last + 120, new byte[120]);

        try (Journal journal = Journal.open(directory, ONE_SEGMENT))
        {
            assertEquals(4, journal.lastSeq());
            assertTrue(journal.recoveryProblems().toString().contains("torn tail"), journal.recoveryProblems().toString());
            assertEquals(5, journal.append("t", payload(99, 10)));
            final List<JournalEntry> entries = readAll(journal, 0, 100);
            assertArrayEquals(payload(99, 10), entries.get(4).payload());
        }
    }

    @Test
    void shouldEndLogAtCrcMismatchInTheMiddle() throws IOException
    {
        try (Journal journal = Journal.open(directory, ONE_SEGMENT))
        {
            for (int i = 0; i < 10; i++)
            {
                journal.append("t", payload(i, 64));
            }
        }
        final Path segment = segmentFiles().get(0);
        final int fourth = recordOffsets(segment).get(3);
        flipByte(segment, fourth + 50);

        try (Journal journal = Journal.open(directory, ONE_SEGMENT))
        {
            assertEquals(3, journal.lastSeq());
            assertEquals(3, readAll(journal, 0, 100).size());
            // Same-sized records land exactly where the old ones were: none of those may come back.
            assertEquals(4, journal.append("t", payload(100, 64)));
        }
        try (Journal journal = Journal.open(directory, ONE_SEGMENT))
        {
            assertEquals(4, journal.lastSeq());
            final List<JournalEntry> entries = readAll(journal, 0, 100);
            assertEquals(4, entries.size());
            assertArrayEquals(payload(100, 64), entries.get(3).payload());
        }
    }

    @Test
    void shouldSetLaterSegmentsAsideWhenLogEndsEarlier() throws IOException
    {
        try (Journal journal = Journal.open(directory, TINY_SEGMENTS))
        {
            for (int i = 0; i < 60; i++)
            {
                journal.append("t", payload(i, 100));
            }
        }
        final List<Path> segments = segmentFiles();
        assertTrue(segments.size() >= 4);
        final Path second = segments.get(1);
        final long secondFirstSeq = Long.parseLong(second.getFileName().toString().substring(0, 20));
        flipByte(second, recordOffsets(second).get(1) + 40);

        try (Journal journal = Journal.open(directory, TINY_SEGMENTS))
        {
            assertEquals(secondFirstSeq, journal.lastSeq());
            assertEquals(2, segmentFiles().size());
            try (Stream<Path> files = Files.list(directory))
            {
                final long orphaned = files.filter(p -> p.toString().endsWith(Journal.ORPHANED_SUFFIX)).count();
                assertEquals(segments.size() - 2, orphaned);
            }
            final List<JournalEntry> entries = readAll(journal, 0, 100);
            assertEquals(secondFirstSeq, entries.size());
        }
    }

    @Test
    void shouldAssignContiguousUniqueSeqsToConcurrentAppenders() throws Exception
    {
        final int threads = 4;
        final int perThread = 5_000;
        final JournalSettings settings = JournalSettings.defaults()
            .withSegmentSizeBytes(64 * 1024)
            .withFsyncPolicy(JournalSettings.FsyncPolicy.NONE);
        final long[][] seqs = new long[threads][perThread];

        try (Journal journal = Journal.open(directory, settings))
        {
            final CyclicBarrier barrier = new CyclicBarrier(threads + 1);
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final List<JournalEntry> seenConcurrently = new ArrayList<>();
            final Thread concurrentReader = new Thread(() ->
            {
                try (JournalReader reader = journal.reader(0))
                {
                    barrier.await();
                    final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    while (seenConcurrently.size() < threads * perThread && System.nanoTime() < deadline)
                    {
                        if (0 == reader.poll(seenConcurrently, 256))
                        {
                            Thread.onSpinWait();
                        }
                    }
                }
                catch (final Throwable ex)
                {
                    failure.compareAndSet(null, ex);
                }
            });
            concurrentReader.start();

            final List<Thread> writers = new ArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                final int thread = t;
                final Thread writer = new Thread(() ->
                {
                    try
                    {
                        barrier.await();
                        for (int i = 0; i < perThread; i++)
                        {
                            seqs[thread][i] = journal.append("w" + thread, payload(thread * perThread + i, i % 50));
                        }
                    }
                    catch (final Throwable ex)
                    {
                        failure.compareAndSet(null, ex);
                    }
                });
                writers.add(writer);
                writer.start();
            }
            for (final Thread writer : writers)
            {
                writer.join();
            }
            concurrentReader.join();
            if (null != failure.get())
            {
                throw new AssertionError(failure.get());
            }

            final Set<Long> unique = ConcurrentHashMap.newKeySet();
            for (int t = 0; t < threads; t++)
            {
                for (int i = 0; i < perThread; i++)
                {
                    assertTrue(unique.add(seqs[t][i]), "duplicate seq " + seqs[t][i]);
                    if (i > 0)
                    {
                        assertTrue(seqs[t][i] > seqs[t][i - 1], "seqs of one thread must increase");
                    }
                }
            }
            assertEquals(threads * perThread, unique.size());
            assertEquals(1L, unique.stream().mapToLong(Long::longValue).min().orElseThrow());
            assertEquals((long)threads * perThread, unique.stream().mapToLong(Long::longValue).max().orElseThrow());
            assertEquals((long)threads * perThread, journal.lastSeq());

            assertEquals(threads * perThread, seenConcurrently.size());
            final List<JournalEntry> afterwards = readAll(journal, 0, 1000);
            assertEquals(seenConcurrently, afterwards);
            for (int t = 0; t < threads; t++)
            {
                for (int i = 0; i < perThread; i++)
                {
                    final JournalEntry entry = afterwards.get((int)seqs[t][i] - 1);
                    assertEquals(seqs[t][i], entry.seq());
                    assertEquals("w" + t, entry.type());
                    assertArrayEquals(payload(t * perThread + i, i % 50), entry.payload());
                }
            }
        }
    }

    @Test
    void shouldSkipToAfterSeqWhenReaderStartsBeyondTheEnd() throws IOException
    {
        try (Journal journal = Journal.open(directory, TINY_SEGMENTS);
            JournalReader reader = journal.reader(5))
        {
            final List<JournalEntry> out = new ArrayList<>();
            for (int i = 0; i < 8; i++)
            {
                journal.append("t", payload(i, 10));
            }

            assertEquals(3, reader.poll(out, 100));
            assertEquals(6, out.get(0).seq());
        }
    }

    @Test
    void shouldShareForcesBetweenConcurrentAppendersWithPolicyAlways() throws Exception
    {
        final JournalSettings always = JournalSettings.defaults()
            .withSegmentSizeBytes(16 * 1024)
            .withFsyncPolicy(JournalSettings.FsyncPolicy.ALWAYS);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        try (Journal journal = Journal.open(directory, always))
        {
            final List<Thread> writers = new ArrayList<>();
            for (int t = 0; t < 4; t++)
            {
                final Thread writer = new Thread(() ->
                {
                    try
                    {
                        for (int i = 0; i < 200; i++)
                        {
                            final long seq = journal.append("t", payload(i, 40));
                            if (journal.durableSeq() < seq)
                            {
                                throw new AssertionError("append returned before seq " + seq + " was forced");
                            }
                        }
                    }
                    catch (final Throwable ex)
                    {
                        failure.compareAndSet(null, ex);
                    }
                });
                writers.add(writer);
                writer.start();
            }
            for (final Thread writer : writers)
            {
                writer.join();
            }
            if (null != failure.get())
            {
                throw new AssertionError(failure.get());
            }
            assertEquals(800, journal.durableSeq());
            assertEquals(800, readAll(journal, 0, 1000).size());
        }
    }

    @Test
    void shouldRunDurabilityActionAtOnceWithPolicyNone() throws IOException
    {
        try (Journal journal = Journal.open(directory, ONE_SEGMENT))
        {
            final long seq = journal.append("t", payload(1, 10));
            final Thread[] ranOn = new Thread[1];

            journal.whenDurable(seq, () -> ranOn[0] = Thread.currentThread());

            assertSame(Thread.currentThread(), ranOn[0]);
            assertEquals(seq, journal.durableSeq());
        }
    }

    @Test
    void shouldForceBeforeReturningWithPolicyAlways() throws IOException
    {
        final JournalSettings always = ONE_SEGMENT.withFsyncPolicy(JournalSettings.FsyncPolicy.ALWAYS);
        try (Journal journal = Journal.open(directory, always))
        {
            for (int i = 0; i < 20; i++)
            {
                final long seq = journal.append("t", payload(i, 10));
                assertEquals(seq, journal.durableSeq());
                final Thread[] ranOn = new Thread[1];
                journal.whenDurable(seq, () -> ranOn[0] = Thread.currentThread());
                assertSame(Thread.currentThread(), ranOn[0]);
            }
        }
    }

    @Test
    void shouldCompleteDurabilityActionsFromSyncThreadWithPolicyBatch() throws Exception
    {
        final JournalSettings batch = JournalSettings.defaults()
            .withSegmentSizeBytes(4096)
            .withFsyncPolicy(JournalSettings.FsyncPolicy.BATCH)
            .withBatchIntervalMillis(2);
        try (Journal journal = Journal.open(directory, batch))
        {
            final int count = 200;
            final CountDownLatch done = new CountDownLatch(count);
            final Set<String> threads = ConcurrentHashMap.newKeySet();
            for (int i = 0; i < count; i++)
            {
                final long seq = journal.append("t", payload(i, 30));
                journal.whenDurable(seq, () ->
                {
                    threads.add(Thread.currentThread().getName());
                    done.countDown();
                });
            }

            assertTrue(done.await(30, TimeUnit.SECONDS), "all durability actions should run");
            assertEquals(count, journal.durableSeq());
            final Set<String> expected = Set.of("journal-sync", Thread.currentThread().getName());
            assertTrue(expected.containsAll(threads), threads.toString());
            assertTrue(threads.contains("journal-sync"));
        }
    }

    @Test
    void shouldCompletePendingDurabilityActionsOnClose() throws Exception
    {
        final JournalSettings slowBatch = ONE_SEGMENT
            .withFsyncPolicy(JournalSettings.FsyncPolicy.BATCH)
            .withBatchIntervalMillis(10_000);
        final CountDownLatch done = new CountDownLatch(1);
        try (Journal journal = Journal.open(directory, slowBatch))
        {
            final long seq = journal.append("t", payload(1, 10));
            journal.whenDurable(seq, done::countDown);
        }
        assertTrue(done.await(10, TimeUnit.SECONDS));
    }

    @Test
    void shouldReleaseOnlyFullyFlushedInactiveSegments() throws IOException
    {
        try (Journal journal = Journal.open(directory, TINY_SEGMENTS))
        {
            for (int i = 0; i < 60; i++)
            {
                journal.append("t", payload(i, 100));
            }
            final List<Path> before = segmentFiles();
            assertTrue(before.size() >= 5);
            final long thirdFirst = firstSeqOf(before.get(2));
            final long sizeBefore = journal.sizeBytes();

            journal.release(thirdFirst - 2);
            assertEquals(before.subList(1, before.size()), segmentFiles(), "only the first segment is fully flushed");

            journal.release(thirdFirst - 1);
            assertEquals(before.subList(2, before.size()), segmentFiles());
            assertEquals(thirdFirst, journal.firstRetainedSeq());
            assertTrue(journal.sizeBytes() < sizeBefore);

            journal.release(journal.lastSeq());
            final List<Path> after = segmentFiles();
            assertEquals(List.of(before.get(before.size() - 1)), after, "the active segment stays");

            final List<JournalEntry> remaining = readAll(journal, 0, 100);
            assertEquals(firstSeqOf(after.get(0)), remaining.get(0).seq());
            assertEquals(60, remaining.get(remaining.size() - 1).seq());
            assertEquals(61, journal.append("t", payload(60, 100)));
        }
    }

    @Test
    void shouldKeepReaderValidWhileItsSegmentIsReleased() throws IOException
    {
        try (Journal journal = Journal.open(directory, TINY_SEGMENTS))
        {
            for (int i = 0; i < 60; i++)
            {
                journal.append("t", payload(i, 100));
            }
            try (JournalReader reader = journal.reader(0))
            {
                final List<JournalEntry> out = new ArrayList<>();
                reader.poll(out, 3);
                journal.release(30);
                while (reader.poll(out, 100) > 0)
                {
                    // drain
                }
                assertEquals(3, out.get(2).seq());
                // The reader finishes the segment it was in, then skips what was released after it.
                assertTrue(out.size() < 60);
                assertEquals(60, out.get(out.size() - 1).seq());
                for (int i = 1; i < out.size(); i++)
                {
                    assertTrue(out.get(i).seq() > out.get(i - 1).seq());
                }
            }
        }
    }

    @Test
    void shouldTakeNewIdentityWhenSegmentsAreGone() throws IOException
    {
        final UUID first;
        try (Journal journal = Journal.open(directory, TINY_SEGMENTS))
        {
            first = journal.id();
            journal.append("t", payload(1, 10));
        }
        for (final Path segment : segmentFiles())
        {
            Files.delete(segment);
        }

        try (Journal journal = Journal.open(directory, TINY_SEGMENTS))
        {
            assertNotEquals(first, journal.id());
            assertEquals(0, journal.lastSeq());
            assertEquals(1, journal.append("t", payload(1, 10)));
        }
    }

    @Test
    void shouldRefuseSecondOpenOfSameDirectory() throws IOException
    {
        try (Journal journal = Journal.open(directory, TINY_SEGMENTS))
        {
            assertThrows(IllegalStateException.class, () -> Journal.open(directory, TINY_SEGMENTS));
            journal.append("t", payload(1, 10));
        }
        try (Journal journal = Journal.open(directory, TINY_SEGMENTS))
        {
            assertEquals(1, journal.lastSeq());
        }
    }

    @Test
    void shouldRejectBadRecords() throws IOException
    {
        try (Journal journal = Journal.open(directory, TINY_SEGMENTS))
        {
            assertThrows(IllegalArgumentException.class, () -> journal.append("tÿpe", new byte[1]));
            assertThrows(IllegalArgumentException.class, () -> journal.append("x".repeat(256), new byte[1]));
            assertThrows(IllegalArgumentException.class, () -> journal.append("t", new byte[2000]));
            assertThrows(IndexOutOfBoundsException.class, () -> journal.append("t", new byte[10], 5, 6));
            assertThrows(IllegalArgumentException.class, () -> journal.whenDurable(1, () -> { }));
            assertEquals(0, journal.lastSeq());
            assertEquals(1, journal.append("t", new byte[] {1, 2, 3, 4, 5, 6}, 2, 3));
            assertArrayEquals(new byte[] {3, 4, 5}, readAll(journal, 0, 1).get(0).payload());
        }
    }

    @Test
    void shouldRejectAppendAfterClose() throws IOException
    {
        final Journal journal = Journal.open(directory, TINY_SEGMENTS);
        journal.close();
        assertThrows(IllegalStateException.class, () -> journal.append("t", new byte[1]));
        journal.close();
        assertFalse(Files.exists(directory.resolve("nothing")));
    }

    static byte[] payload(final int seed, final int length)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(seed * 31 + i * 7);
        }
        return bytes;
    }

    static List<JournalEntry> readAll(final Journal journal, final long afterSeq, final int chunk)
    {
        final List<JournalEntry> out = new ArrayList<>();
        try (JournalReader reader = journal.reader(afterSeq))
        {
            while (reader.poll(out, chunk) > 0)
            {
                // keep polling
            }
        }
        return out;
    }

    private List<Path> segmentFiles() throws IOException
    {
        try (Stream<Path> files = Files.list(directory))
        {
            return files.filter(p -> p.getFileName().toString().endsWith(".seg")).sorted().collect(Collectors.toList());
        }
    }

    private static long firstSeqOf(final Path segment)
    {
        return Long.parseLong(segment.getFileName().toString().substring(0, 20));
    }

    /** Offsets of the records in a segment, found by walking the length fields as recovery does. */
    private static List<Integer> recordOffsets(final Path segment) throws IOException
    {
        final ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(segment)).order(ByteOrder.LITTLE_ENDIAN);
        final List<Integer> offsets = new ArrayList<>();
        int position = 0;
        while (position + 26 <= bytes.capacity() && bytes.getInt(position) != 0)
        {
            offsets.add(position);
            position += (bytes.getInt(position) + 7) & ~7;
        }
        return offsets;
    }

    private static void writeAt(final Path file, final long position, final byte[] bytes) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            channel.write(ByteBuffer.wrap(bytes), position);
        }
    }

    private static void flipByte(final Path file, final long position) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, position);
            one.put(0, (byte)(one.get(0) ^ 0x5A)).rewind();
            channel.write(one, position);
        }
    }
}
