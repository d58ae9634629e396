package dev.edgeplane.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

import dev.edgeplane.persistence.Database;
import dev.edgeplane.persistence.DatabaseSettings;
import dev.edgeplane.persistence.EmbeddedPostgresServer;
import dev.edgeplane.persistence.FlusherStatus;
import dev.edgeplane.persistence.Journal;
import dev.edgeplane.persistence.JournalFlusher;
import dev.edgeplane.persistence.JournalSettings;
import org.HdrHistogram.Histogram;

/**
 * Write-behind run (issue 4): appends journal events at a fixed rate for a fixed time while the
 * flusher drains them into a real PostgreSQL ({@code event_log}, multi-row batches), and reports
 * the flushed rows per second and the flush lag distribution (age of the oldest unflushed event,
 * sampled every 10 ms). Usage:
 * {@code java @perf-config/jvm/chronicle.options -cp bench/target/benchmarks.jar dev.edgeplane.bench.WriteBehindRun [rate] [seconds] [fsync]}.
 *
 * <p>Not a test: it prints measurements for {@code bench/RESULTS.md}.
 */
public final class WriteBehindRun
{
    private WriteBehindRun()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int rate = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        final int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        final JournalSettings.FsyncPolicy fsync = args.length > 2
            ? JournalSettings.FsyncPolicy.valueOf(args[2].toUpperCase(Locale.ROOT)) : JournalSettings.FsyncPolicy.BATCH;
        final Path dir = Files.createTempDirectory("edgeplane-writebehind");
        final byte[] payload = ("{\"call_id\":\"a84b4c76e66710@pbx.example.com\",\"account_id\":\"acc_01jf18ah3jeb5w6dfp27sgjsbt\","
            + "\"kind\":\"route.decision\",\"detail\":{\"action\":\"flow\",\"flow_id\":\"flow_01jzqwjn803wtnhc445bvjenzc\"}}")
            .getBytes(StandardCharsets.UTF_8);

        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(dir.resolve("pg"), 0);
             Database db = Database.open(DatabaseSettings.forUrl(pg.jdbcUrl()));
             Journal journal = Journal.open(dir.resolve("journal"), JournalSettings.defaults().withFsyncPolicy(fsync));
             JournalFlusher flusher = new JournalFlusher(journal, db.dataSource(), List.of()).start())
        {
            final Histogram lag = new Histogram(60_000, 3);
            final long intervalNanos = 1_000_000_000L / rate;
            final long start = System.nanoTime();
            final long end = start + seconds * 1_000_000_000L;
            long next = start;
            long nextSample = start;
            long appended = 0;
            while (System.nanoTime() < end)
            {
                final long now = System.nanoTime();
                while (next <= now)
                {
                    journal.append("call.trace", payload);
                    appended++;
                    next += intervalNanos;
                }
                if (now >= nextSample)
                {
                    lag.recordValue(Math.min(flusher.status().lagMillis(), 60_000));
                    nextSample += 10_000_000L;
                }
                LockSupport.parkNanos(50_000);
            }
            final long appendEnd = System.nanoTime();
            flusher.awaitFlushed(journal.lastSeq(), 60_000);
            final long drained = System.nanoTime();
            final FlusherStatus status = flusher.status();
            final double secs = (drained - start) / 1e9;
            System.out.printf(Locale.ROOT, "fsync=%s target %,d events/s for %d s: appended %,d (%,.0f/s), flushed %,d in %.1f s "
                    + "(%,.0f rows/s including the final drain of %.2f s), %d batches%n",
                fsync, rate, seconds, appended, appended / ((appendEnd - start) / 1e9), status.flushedTotal(), secs,
                status.flushedTotal() / secs, (drained - appendEnd) / 1e9, status.batches());
            System.out.printf(Locale.ROOT, "flush lag (oldest unflushed event), sampled every 10 ms: p50 %d ms, p99 %d ms, "
                + "p99.9 %d ms, max %d ms%n", lag.getValueAtPercentile(50), lag.getValueAtPercentile(99),
                lag.getValueAtPercentile(99.9), lag.getMaxValue());
        }
    }
}
