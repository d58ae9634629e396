package dev.edgeplane.services;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * One lock per instance id, so create, destroy, configure and redeploy of one instance run one at a time (in
 * arrival order: the locks are fair) while different instances proceed in parallel. Entries exist only while
 * someone holds or waits for them.
 *
 * <p>Thread-safe. Serializes within this process; one services node per database is the deployment this assumes.
 */
final class InstanceLocks
{
    private static final class Entry
    {
        final ReentrantLock lock = new ReentrantLock(true);
        int users;
    }

    private final ConcurrentHashMap<String, Entry> locks = new ConcurrentHashMap<>();

    <T> T withLock(final String instanceId, final Supplier<T> work)
    {
        final Entry e = locks.compute(instanceId, (k, v) ->
        {
            final Entry entry = v == null ? new Entry() : v;
            entry.users++;
            return entry;
        });
        e.lock.lock();
        try
        {
            return work.get();
        }
        finally
        {
            e.lock.unlock();
            locks.computeIfPresent(instanceId, (k, v) -> --v.users == 0 ? null : v);
        }
    }

    /** @return instances with a holder or waiter (for tests and metrics). */
    int active()
    {
        return locks.size();
    }
}
