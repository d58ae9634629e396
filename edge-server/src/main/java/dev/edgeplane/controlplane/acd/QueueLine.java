package dev.edgeplane.controlplane.acd;

import java.util.ArrayList;
import java.util.List;

import dev.edgeplane.persistence.config.QueueConfig;

/**
 * One queue's waiting line: callers not currently offered, first come first served (ordered by the
 * time they entered the queue; a caller whose offer ends goes back to the head).
 *
 * <p>Not thread-safe: owned by its {@link AccountDistributor}, touched only on the account's shard
 * writer.
 */
final class QueueLine
{
    final String id;
    QueueConfig config;
    Strategy strategy;
    final List<WaitingCaller> waiting = new ArrayList<>();
    /** {@link Agent#order} of the agent {@code round_robin} picked last, -1 before the first pick. */
    int lastPickedOrder = -1;

    QueueLine(final QueueConfig config)
    {
        this.id = config.id();
        configure(config);
    }

    void configure(final QueueConfig queue)
    {
        this.config = queue;
        this.strategy = Strategy.byName(queue.strategy());
    }

    long ringTimeoutMillis()
    {
        return Math.max(1, config.ringTimeoutS()) * 1000L;
    }

    long wrapUpMillis()
    {
        return Math.max(0, config.wrapupS()) * 1000L;
    }

    long maxWaitMillis()
    {
        return Math.max(1, config.maxWaitS()) * 1000L;
    }

    /** Inserts in order of {@link WaitingCaller#joinedAtMillis}, after callers who joined at the same time. */
    int insert(final WaitingCaller caller)
    {
        int at = waiting.size();
        while (at > 0 && waiting.get(at - 1).joinedAtMillis > caller.joinedAtMillis)
        {
            at--;
        }
        waiting.add(at, caller);
        return at;
    }

    /** @return 1-based position in line, or 0 when not in line (offered, or gone). */
    int position(final WaitingCaller caller)
    {
        final int i = waiting.indexOf(caller);
        return i < 0 ? 0 : i + 1;
    }
}
