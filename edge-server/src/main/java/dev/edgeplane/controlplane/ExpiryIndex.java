package dev.edgeplane.controlplane;

import java.util.Arrays;

import dev.edgeplane.state.ShardWriter;

/**
 * When each entry of one kind (calls, registrations, flow sessions, used nonces) on one shard falls
 * due: an indexed binary min-heap of deadlines, at most one per key. The sweeper's tick pops only the
 * entries whose deadline has passed; an entry that is not due is never visited, whatever the number of
 * live entries.
 *
 * <p>A deadline may be a lower bound: the writer that extends an entry's life (a retried Call-ID, a
 * dialog event) does not have to touch the index. When such an entry is popped, {@link Expirer}
 * re-reads it and returns its real deadline, and the entry is scheduled again (one visit per lifetime
 * extension that actually reached its old deadline, never one per sweep).
 *
 * <p>Keys are found through an open-addressing table (linear probing, backward-shift deletion) and
 * nodes are pooled, so scheduling and cancelling allocate nothing once the index has held as many
 * entries as it holds now.
 *
 * <p>Threading: confined to the shard's writer thread (filled on the start-up thread before any loop
 * runs a shard task). {@link #visited()} and {@link #size()} may be read from any thread (metrics).
 */
final class ExpiryIndex
{
    /** Most entries one tick visits; the rest wait for the next tick so a shard turn stays short. */
    static final int MAX_VISITS_PER_TICK = 10_000;

    /** Decides what happens to an entry whose deadline has passed; runs on the shard's writer. */
    @FunctionalInterface
    interface Expirer
    {
        /**
         * @return the entry's next deadline when it is still alive (later than {@code now}); anything
         *         else forgets the key (the entry was expired or is gone).
         */
        long expire(ShardWriter shard, String key, long now);
    }

    private static final class Node
    {
        String key;
        int hash;
        long deadline;
        /** Index in the heap. */
        int position;
        /** Next free node (pool). */
        Node next;
    }

    private Node[] heap = new Node[64];
    private int size;
    /** Open-addressing key table, a power of two at most half full. */
    private Node[] table = new Node[128];
    private Node free;
    private volatile long visited;

    /** Sets the key's deadline (earlier or later than before). */
    void schedule(final String key, final long deadline)
    {
        final Node node = find(key);
        if (node == null)
        {
            insert(key, deadline);
        }
        else if (deadline < node.deadline)
        {
            node.deadline = deadline;
            up(node.position);
        }
        else if (deadline > node.deadline)
        {
            node.deadline = deadline;
            down(node.position);
        }
    }

    /** Sets the key's deadline unless it already falls due at or before {@code deadline}. */
    void scheduleNoLater(final String key, final long deadline)
    {
        final Node node = find(key);
        if (node == null)
        {
            insert(key, deadline);
        }
        else if (deadline < node.deadline)
        {
            node.deadline = deadline;
            up(node.position);
        }
    }

    /** Forgets the key (its entry was removed by its owner). */
    void cancel(final String key)
    {
        final Node node = find(key);
        if (node != null)
        {
            unlink(node);
            removeAt(node.position);
            release(node);
        }
    }

    /** @return the key's deadline, or 0 when it is not indexed. */
    long deadline(final String key)
    {
        final Node node = find(key);
        return node == null ? 0 : node.deadline;
    }

    /**
     * Visits every entry due at {@code now} (up to {@link #MAX_VISITS_PER_TICK}), earliest first.
     *
     * @return how many entries were visited.
     */
    int expire(final ShardWriter shard, final long now, final Expirer expirer)
    {
        int visits = 0;
        while (size > 0 && heap[0].deadline <= now && visits < MAX_VISITS_PER_TICK)
        {
            final Node node = heap[0];
            final String key = node.key;
            visits++;
            final long next = expirer.expire(shard, key, now);
            if (heap[0] != node || node.key != key)
            {
                continue; // the expirer changed the index itself (cancelled or moved this key)
            }
            if (next > now)
            {
                node.deadline = next;
                down(0);
            }
            else
            {
                unlink(node);
                removeAt(0);
                release(node);
            }
        }
        if (visits > 0)
        {
            visited += visits; // single writer
        }
        return visits;
    }

    /** @return entries visited since start (a counter). */
    long visited()
    {
        return visited;
    }

    /** @return keys indexed (racy when read off the shard's thread; for metrics). */
    int size()
    {
        return size;
    }

    private void insert(final String key, final long deadline)
    {
        Node node = free;
        if (node != null)
        {
            free = node.next;
            node.next = null;
        }
        else
        {
            node = new Node();
        }
        node.key = key;
        node.hash = spread(key.hashCode());
        node.deadline = deadline;
        link(node);
        if (size == heap.length)
        {
            heap = Arrays.copyOf(heap, size * 2);
        }
        heap[size] = node;
        node.position = size;
        size++;
        up(node.position);
    }

    private static int spread(final int h)
    {
        return h ^ (h >>> 16);
    }

    private Node find(final String key)
    {
        final int hash = spread(key.hashCode());
        final int mask = table.length - 1;
        for (int i = hash & mask; ; i = (i + 1) & mask)
        {
            final Node n = table[i];
            if (n == null)
            {
                return null;
            }
            if (n.hash == hash && n.key.equals(key))
            {
                return n;
            }
        }
    }

    private void link(final Node node)
    {
        if ((size + 1) * 2 > table.length)
        {
            final Node[] old = table;
            table = new Node[old.length * 2];
            for (final Node n : old)
            {
                if (n != null)
                {
                    place(n);
                }
            }
        }
        place(node);
    }

    private void place(final Node node)
    {
        final int mask = table.length - 1;
        int i = node.hash & mask;
        while (table[i] != null)
        {
            i = (i + 1) & mask;
        }
        table[i] = node;
    }

    /** Removes a node from the key table, shifting later probes back (no tombstones). */
    private void unlink(final Node node)
    {
        final int mask = table.length - 1;
        int i = node.hash & mask;
        while (table[i] != node)
        {
            i = (i + 1) & mask;
        }
        table[i] = null;
        for (int j = (i + 1) & mask; table[j] != null; j = (j + 1) & mask)
        {
            final Node n = table[j];
            final int home = n.hash & mask;
            // n may move to the hole at i when its home is not in the cyclic range (i, j].
            if (((j - home) & mask) >= ((j - i) & mask))
            {
                table[i] = n;
                table[j] = null;
                i = j;
            }
        }
    }

    private void release(final Node node)
    {
        node.key = null;
        node.next = free;
        free = node;
    }

    private void removeAt(final int position)
    {
        final int last = --size;
        if (position == last)
        {
            heap[last] = null;
            return;
        }
        final Node moved = heap[last];
        heap[last] = null;
        heap[position] = moved;
        moved.position = position;
        down(position);
        if (heap[position] == moved)
        {
            up(position);
        }
    }

    private void up(final int from)
    {
        int i = from;
        final Node node = heap[i];
        while (i > 0)
        {
            final int parent = (i - 1) >>> 1;
            final Node p = heap[parent];
            if (p.deadline <= node.deadline)
            {
                break;
            }
            heap[i] = p;
            p.position = i;
            i = parent;
        }
        heap[i] = node;
        node.position = i;
    }

    private void down(final int from)
    {
        int i = from;
        final Node node = heap[i];
        final int half = size >>> 1;
        while (i < half)
        {
            int child = 2 * i + 1;
            final int right = child + 1;
            if (right < size && heap[right].deadline < heap[child].deadline)
            {
                child = right;
            }
            if (node.deadline <= heap[child].deadline)
            {
                break;
            }
            heap[i] = heap[child];
            heap[i].position = i;
            i = child;
        }
        heap[i] = node;
        node.position = i;
    }
}
