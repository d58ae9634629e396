package dev.edgeplane.persistence;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import dev.edgeplane.persistence.testing.SmallFilesystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A journal whose filesystem is full refuses writes (before a caller changes anything, and with an exception that
 * wrote nothing as the last line of defence) instead of faulting on a sparse mapping, says why, and takes writes
 * again by itself once there is room. Once on a real, small tmpfs (skipped where mounting is not allowed) and always
 * with an injected allocation failure.
 */
class JournalDiskFullTest
{
    private static final int RECORD = 2000;

    @TempDir
    Path directory;

    @Test
    void shouldRefuseWritesWhenAllocationFailsAndResumeWhenItSucceeds() throws Exception
    {
        final JournalSettings settings = JournalSettings.defaults().withSegmentSizeBytes(64 * 1024);
        final List<byte[]> written = new ArrayList<>();
        try (Journal journal = Journal.open(directory, settings))
        {
            JournalFaults.awaitReserve(journal);
            appendOne(journal, written);

            JournalFaults.failAllocations(journal);
            await("the failed allocation to be noticed", () -> null != journal.unavailableReason());
            assertTrue(journal.acceptingWrites(), "the active segment still has room");

            fillUntilRefused(journal, written);
            assertTrue(journal.unavailableReason().contains("No space left on device"), journal.unavailableReason());

            JournalFaults.allowAllocations(journal);
            await("writes to be accepted again", journal::acceptingWrites);
            for (int i = 0; i < 100; i++)
            {
                appendOne(journal, written); // rolls onto newly allocated segments
            }
        }
        assertAllReadBack(settings, written);
    }

    @Test
    void shouldRefuseWritesOnAFullTmpfsAndResumeWhenSpaceReturns() throws Exception
    {
        final JournalSettings settings = JournalSettings.defaults().withSegmentSizeBytes(128 * 1024);
        final List<byte[]> written = new ArrayList<>();
        try (SmallFilesystem fs = SmallFilesystem.mount(directory.resolve("fs"), 1 << 20))
        {
            final Path journalDir = fs.root().resolve("journal");
            try (Journal journal = Journal.open(journalDir, settings))
            {
                JournalFaults.awaitReserve(journal);
                appendOne(journal, written);
                assertTrue(fs.fill() > 0);

                // Without preallocation these appends would fault (SIGBUS) writing into holes of a sparse segment.
                fillUntilRefused(journal, written);
                assertTrue(journal.unavailableReason().contains("No space left on device"), journal.unavailableReason());

                fs.free();
                await("writes to be accepted again", journal::acceptingWrites);
                for (int i = 0; i < 150; i++)
                {
                    appendOne(journal, written);
                }
            }
            assertAllReadBack(settings, journalDir, written);
        }
    }

    @Test
    void shouldRestartOnAFullTmpfsAndResumeWhenSpaceReturns() throws Exception
    {
        final JournalSettings settings = JournalSettings.defaults().withSegmentSizeBytes(128 * 1024);
        try (SmallFilesystem fs = SmallFilesystem.mount(directory.resolve("fs"), 1 << 20))
        {
            final Path journalDir = fs.root().resolve("journal");
            final List<byte[]> written = new ArrayList<>();
            try (Journal journal = Journal.open(journalDir, settings))
            {
                for (int i = 0; i < 10; i++)
                {
                    appendOne(journal, written);
                }
            }
            fs.fill();

            try (Journal journal = Journal.open(journalDir, settings))
            {
                assertEquals(10, journal.lastSeq(), "the records are recovered on a full filesystem");
                assertEquals(List.of(), journal.recoveryProblems());
                fillUntilRefused(journal, written);
                assertTrue(journal.unavailableReason().contains("No space left on device"), journal.unavailableReason());

                fs.free();
                await("writes to be accepted once there is room", journal::acceptingWrites);
                for (int i = 0; i < 100; i++)
                {
                    appendOne(journal, written);
                }
            }
            assertAllReadBack(settings, journalDir, written);
        }
    }

    /** Appends until the journal stops accepting writes, then until an append is refused; checks nothing leaked. */
    private static void fillUntilRefused(final Journal journal, final List<byte[]> written)
    {
        int guard = 0;
        while (journal.acceptingWrites())
        {
            appendOne(journal, written);
            assertTrue(++guard < 10_000, "the journal never stopped accepting writes");
        }
        // Writes admitted just before the switch still find the headroom.
        appendOne(journal, written);

        JournalUnavailableException refused = null;
        while (null == refused)
        {
            final long before = journal.lastSeq();
            try
            {
                appendOne(journal, written);
            }
            catch (final JournalUnavailableException ex)
            {
                refused = ex;
                assertEquals(before, journal.lastSeq(), "a refused append must not take a seq");
            }
            assertTrue(++guard < 10_000, "the journal never refused an append");
        }
        assertFalse(journal.acceptingWrites());
    }

    private static void appendOne(final Journal journal, final List<byte[]> written)
    {
        final byte[] payload = new byte[RECORD];
        final int n = written.size();
        for (int i = 0; i < payload.length; i++)
        {
            payload[i] = (byte)(n * 31 + i);
        }
        assertEquals(written.size() + 1, journal.append("t", payload));
        written.add(payload);
    }

    private void assertAllReadBack(final JournalSettings settings, final List<byte[]> written) throws IOException
    {
        assertAllReadBack(settings, directory, written);
    }

    private static void assertAllReadBack(final JournalSettings settings, final Path dir, final List<byte[]> written)
        throws IOException
    {
        try (Journal journal = Journal.open(dir, settings); JournalReader reader = journal.reader(0))
        {
            assertEquals(List.of(), journal.recoveryProblems());
            assertEquals(written.size(), journal.lastSeq());
            final List<JournalEntry> entries = new ArrayList<>();
            while (reader.poll(entries, 1000) > 0)
            {
                // drain
            }
            assertEquals(written.size(), entries.size());
            for (int i = 0; i < written.size(); i++)
            {
                assertArrayEquals(written.get(i), entries.get(i).payload(), "record " + (i + 1));
            }
        }
    }

    private static void await(final String what, final BooleanSupplier condition) throws InterruptedException
    {
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(10);
        }
    }
}
