package dev.edgeplane.controlplane;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.edgeplane.state.ShardWriter;
import dev.edgeplane.state.Shards;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane's security picture (docs/SPEC-control-plane.md, "Security"): the published
 * allowlist and the latest ban snapshot of every reporting node.
 *
 * <p>Where it lives: the allowlist's system of record is PostgreSQL ({@link AllowListRepository});
 * this holds the last published version, loaded at start-up. Node snapshots live only here, in the
 * heap: nodes re-report every ~30 s, so after a restart the view is complete again within one
 * period, and a snapshot of up to {@value BanReport#MAX_BANS} variable-length bans does not fit a
 * fixed-layout off-heap value. A node silent for {@link #NODE_TTL_MILLIS} no longer counts as
 * reporting; at most {@link #MAX_NODES} nodes report at once.
 *
 * <p>Threading: single writer. {@link #publish} and {@link #replace} run only on the security shard
 * ({@link #shard()}, the owner of key {@value #SHARD_KEY}); every other thread, including
 * {@code /auth} on any shard, reads the published immutable snapshots with one volatile read and
 * no lock.
 */
final class SecurityState
{
    static final String SHARD_KEY = "security";
    /** A node that has not reported for this long (20 report periods) drops out of the merged view. */
    static final long NODE_TTL_MILLIS = 10 * 60_000L;
    /** Most nodes whose snapshots are kept at once. */
    static final int MAX_NODES = 1024;

    private static final Logger LOG = LoggerFactory.getLogger(SecurityState.class);

    private final ShardWriter shard;
    private final AllowListRepository repository;
    private volatile AllowList allowList;
    private volatile Map<String, BanReport> nodes = Map.of();

    /** Loads the stored allowlist; start-up only (blocks on PostgreSQL). */
    SecurityState(final Shards shards, final AllowListRepository repository)
    {
        this.shard = shards.forKey(SHARD_KEY);
        this.repository = repository;
        try
        {
            this.allowList = repository.load();
        }
        catch (final SQLException e)
        {
            throw new IllegalStateException("cannot load the security allowlist: " + e.getMessage(), e);
        }
        if (!allowList.isEmpty())
        {
            LOG.info("security allowlist: {} entries (version {})", allowList.entries().size(), allowList.version());
        }
    }

    /** @return the writer that owns this state. */
    ShardWriter shard()
    {
        return shard;
    }

    AllowListRepository repository()
    {
        return repository;
    }

    /** @return the published allowlist; any thread, one volatile read. */
    AllowList allowList()
    {
        return allowList;
    }

    /** @return the snapshots of nodes that reported within {@link #NODE_TTL_MILLIS} of {@code now}; any thread. */
    List<BanReport> reportingNodes(final long now)
    {
        final List<BanReport> live = new ArrayList<>();
        for (final BanReport r : nodes.values())
        {
            if (now - r.receivedAt() <= NODE_TTL_MILLIS)
            {
                live.add(r);
            }
        }
        return live;
    }

    /**
     * Publishes {@code list} unless a newer version is already published (changes can finish their
     * transactions in one order and reach this shard in another). Security shard only.
     *
     * @return the list now published.
     */
    AllowList publish(final AllowList list)
    {
        assert shard.inWriterThread();
        if (list.version() > allowList.version())
        {
            allowList = list;
        }
        return allowList;
    }

    /** @return the node's live snapshot, or null. Security shard only (so a replace cannot slip in between). */
    BanReport previous(final String nodeId, final long now)
    {
        assert shard.inWriterThread();
        final BanReport r = nodes.get(nodeId);
        return r != null && now - r.receivedAt() <= NODE_TTL_MILLIS ? r : null;
    }

    /**
     * Replaces the node's snapshot, forgetting nodes silent for {@link #NODE_TTL_MILLIS}. Security
     * shard only.
     *
     * @return false (nothing replaced) when the node is new and {@link #MAX_NODES} others are reporting.
     */
    boolean replace(final BanReport report)
    {
        assert shard.inWriterThread();
        final Map<String, BanReport> next = new HashMap<>(nodes.size() + 1);
        for (final BanReport r : nodes.values())
        {
            if (report.receivedAt() - r.receivedAt() <= NODE_TTL_MILLIS)
            {
                next.put(r.nodeId(), r);
            }
        }
        if (!next.containsKey(report.nodeId()) && next.size() >= MAX_NODES)
        {
            return false;
        }
        next.put(report.nodeId(), report);
        nodes = Map.copyOf(next);
        return true;
    }
}
