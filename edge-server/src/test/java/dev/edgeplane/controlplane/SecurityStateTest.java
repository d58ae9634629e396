package dev.edgeplane.controlplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import dev.edgeplane.persistence.Database;
import dev.edgeplane.persistence.testing.TestPostgres;
import dev.edgeplane.state.Shards;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The allowlist repository against real PostgreSQL and the security state's single-writer rules:
 * an older list never replaces a newer one, the allowlist's capacity, the node cap and node expiry.
 */
class SecurityStateTest
{
    static Database database;
    static Shards shards;
    static AllowListRepository repository;
    static SecurityState state;

    @BeforeAll
    static void start()
    {
        database = Database.open(TestPostgres.freshDatabase("security_state"));
        shards = new Shards(1, 16);
        repository = new AllowListRepository(database.dataSource());
        state = new SecurityState(shards, repository);
    }

    @AfterAll
    static void stop()
    {
        shards.close();
        database.close();
    }

    @Test
    void shouldNeverReplaceANewerListWithAnOlderOne() throws Exception
    {
        final AllowListRepository.Change first = repository.add(IpBlock.block("10.0.0.1"), "first");
        final AllowListRepository.Change second = repository.add(IpBlock.block("10.0.0.2"), null);
        assertEquals(AllowListRepository.Outcome.CREATED, second.outcome());
        assertTrue(second.list().version() > first.list().version());

        // The changes reach the shard in the opposite order of their commits.
        onShard(() -> state.publish(second.list()) == second.list());
        onShard(() -> state.publish(first.list()) == second.list());
        assertTrue(state.allowList().covers("10.0.0.2"));
        assertTrue(state.allowList().covers("10.0.0.1"));
        assertEquals(repository.load().version(), state.allowList().version());

        final AllowListRepository.Change removed = repository.remove(IpBlock.block("10.0.0.1"));
        assertEquals(AllowListRepository.Outcome.REMOVED, removed.outcome());
        assertEquals("first", removed.entry().note());
        onShard(() -> state.publish(removed.list()) == removed.list());
        assertFalse(state.allowList().covers("10.0.0.1"));
        assertEquals(AllowListRepository.Outcome.ABSENT, repository.remove(IpBlock.block("10.0.0.1")).outcome());
    }

    @Test
    void shouldRefuseANewEntryWhenTheAllowlistIsFull() throws Exception
    {
        try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement())
        {
            s.execute("INSERT INTO security_allow (ip) SELECT '172.16.' || (i >> 8) || '.' || (i & 255) "
                + "FROM generate_series(0, " + (AllowList.MAX_ENTRIES - 1) + ") AS i ON CONFLICT DO NOTHING");
        }
        try
        {
            final AllowListRepository.Change full = repository.add(IpBlock.block("192.0.2.1"), null);
            assertEquals(AllowListRepository.Outcome.FULL, full.outcome());
            assertNull(full.list());
            final AllowListRepository.Change updated = repository.add(IpBlock.block("172.16.0.7"), "still editable");
            assertEquals(AllowListRepository.Outcome.UPDATED, updated.outcome());
            assertEquals("still editable", updated.entry().note());
        }
        finally
        {
            try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement())
            {
                s.execute("DELETE FROM security_allow WHERE ip LIKE '172.16.%'");
            }
        }
    }

    @Test
    void shouldCapReportingNodesAndForgetSilentOnes() throws Exception
    {
        final long t0 = 1_000_000_000L;
        for (int i = 0; i < SecurityState.MAX_NODES; i++)
        {
            final BanReport r = new BanReport("cap-" + i, List.of(), t0);
            onShard(() -> state.replace(r));
        }
        final BanReport extra = new BanReport("cap-extra", List.of(), t0 + 1);
        onShard(() -> !state.replace(extra));
        final BanReport refresh = new BanReport("cap-7", List.of(), t0 + 1);
        onShard(() -> state.replace(refresh));
        assertEquals(SecurityState.MAX_NODES, state.reportingNodes(t0 + 1).size());

        // Once the others have been silent past the TTL, they no longer count.
        final long later = t0 + SecurityState.NODE_TTL_MILLIS + 2;
        final BanReport fresh = new BanReport("cap-extra", List.of(), later);
        onShard(() -> state.replace(fresh));
        assertEquals(List.of("cap-extra"), state.reportingNodes(later).stream().map(BanReport::nodeId).toList());
        onShard(() -> state.previous("cap-7", later) == null);
    }

    /** Runs a check on the security shard (the state's writer) and asserts it held. */
    private static void onShard(final BooleanSupplier check) throws InterruptedException
    {
        final CountDownLatch done = new CountDownLatch(1);
        final AtomicBoolean held = new AtomicBoolean();
        assertTrue(state.shard().offer(() ->
        {
            held.set(check.getAsBoolean());
            done.countDown();
        }));
        assertTrue(done.await(5, TimeUnit.SECONDS));
        assertTrue(held.get());
    }
}
