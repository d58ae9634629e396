package dev.edgeplane.persistence;

import java.io.IOException;

/**
 * Injected journal faults for tests of every module (shipped in this module's test-jar): makes segment allocation
 * fail as it does on a full filesystem, without needing one.
 */
public final class JournalFaults
{
    private JournalFaults()
    {
    }

    /**
     * Make every segment allocation of {@code journal} fail with {@code ENOSPC}'s message, and drop the reserve
     * segment it had prepared (as if the disk had filled before the reserve was due). The active segment keeps the
     * room it had. Returns once the journal has seen an allocation fail.
     */
    public static void failAllocations(final Journal journal)
    {
        journal.allocationFault(new IOException("No space left on device (injected)"));
        // The allocator may be preparing a reserve right now (fault not yet seen): drop whatever it installs
        // until it has tried again and failed.
        final long deadline = System.nanoTime() + 10_000_000_000L;
        do
        {
            journal.discardReserve();
            try
            {
                Thread.sleep(5);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(ex);
            }
        }
        while (null == journal.unavailableReason() && System.nanoTime() < deadline);
        journal.discardReserve();
    }

    /** Let allocations succeed again ("space returned"). */
    public static void allowAllocations(final Journal journal)
    {
        journal.allocationFault(null);
    }

    /** Wait until the journal's allocator has a reserve segment ready (at most 10 s). */
    public static void awaitReserve(final Journal journal)
    {
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (!journal.reserveReady())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("the journal prepared no reserve segment in 10 s: " + journal.unavailableReason());
            }
            try
            {
                Thread.sleep(5);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(ex);
            }
        }
    }
}
