package dev.edgeplane.controlplane;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One published version of the security allowlist (docs/SPEC-control-plane.md, "Security"): addresses
 * and CIDR blocks that are never banned. {@code version} is the stored list's change counter, so a
 * newer list can never be replaced by an older one that was read first.
 *
 * <p>Lookups cost one binary search per distinct prefix length present, not a scan of the entries,
 * and nothing at all when the list is empty (the usual case on the {@code /auth} path).
 *
 * <p>Immutable and thread-safe: built off the hot path, then read by any thread.
 */
final class AllowList
{
    /** Most entries the allowlist holds. */
    static final int MAX_ENTRIES = 10_000;

    static final AllowList EMPTY = new AllowList(0, List.of());

    /** One allowlisted address or block. */
    record Entry(IpBlock block, String note, Instant addedAt)
    {
        Map<String, Object> toJson()
        {
            final Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("ip", block.text());
            m.put("note", note);
            m.put("added_at", addedAt.toString());
            return m;
        }
    }

    private final long version;
    private final List<Entry> entries;
    private final Index v4;
    private final Index v6;

    /**
     * @param entries in the order to list them; the list is copied.
     */
    AllowList(final long version, final List<Entry> entries)
    {
        this.version = version;
        this.entries = List.copyOf(entries);
        final List<IpBlock> v4Blocks = new ArrayList<>();
        final List<IpBlock> v6Blocks = new ArrayList<>();
        for (final Entry e : this.entries)
        {
            (e.block().isV4() ? v4Blocks : v6Blocks).add(e.block());
        }
        this.v4 = new Index(v4Blocks);
        this.v6 = new Index(v6Blocks);
    }

    long version()
    {
        return version;
    }

    List<Entry> entries()
    {
        return entries;
    }

    boolean isEmpty()
    {
        return entries.isEmpty();
    }

    /** @return the entry with exactly this block, or null. */
    Entry find(final IpBlock block)
    {
        for (final Entry e : entries)
        {
            if (e.block().equals(block))
            {
                return e;
            }
        }
        return null;
    }

    /**
     * @param ip address text as a caller sent it (e.g. {@code sourceIp}); text that is not a literal
     *           address is never covered.
     * @return true when an entry covers the address.
     */
    boolean covers(final CharSequence ip)
    {
        if (entries.isEmpty() || ip == null)
        {
            return false;
        }
        final IpBlock address = IpBlock.address(ip);
        return address != null && covers(address);
    }

    /** @return true when an entry covers the address. */
    boolean covers(final IpBlock address)
    {
        return (address.isV4() ? v4 : v6).contains(address);
    }

    /** Networks grouped by prefix length; each group sorted as (hi, lo) pairs for binary search. */
    private static final class Index
    {
        private final int[] prefixes;
        private final long[][] networks;

        Index(final List<IpBlock> blocks)
        {
            final Map<Integer, List<IpBlock>> byPrefix = new TreeMap<>();
            for (final IpBlock b : blocks)
            {
                byPrefix.computeIfAbsent(b.prefix(), k -> new ArrayList<>()).add(b);
            }
            prefixes = new int[byPrefix.size()];
            networks = new long[byPrefix.size()][];
            int k = 0;
            for (final Map.Entry<Integer, List<IpBlock>> group : byPrefix.entrySet())
            {
                final List<IpBlock> sorted = new ArrayList<>(group.getValue());
                sorted.sort((a, b) -> a.hi() != b.hi() ? Long.compare(a.hi(), b.hi()) : Long.compare(a.lo(), b.lo()));
                final long[] pairs = new long[sorted.size() * 2];
                for (int i = 0; i < sorted.size(); i++)
                {
                    pairs[2 * i] = sorted.get(i).hi();
                    pairs[2 * i + 1] = sorted.get(i).lo();
                }
                prefixes[k] = group.getKey();
                networks[k] = pairs;
                k++;
            }
        }

        boolean contains(final IpBlock address)
        {
            for (int k = 0; k < prefixes.length; k++)
            {
                final int p = prefixes[k];
                if (search(networks[k], address.hi() & IpBlock.maskHi(p), address.lo() & IpBlock.maskLo(p)))
                {
                    return true;
                }
            }
            return false;
        }

        private static boolean search(final long[] pairs, final long hi, final long lo)
        {
            int low = 0;
            int high = pairs.length / 2 - 1;
            while (low <= high)
            {
                final int mid = low + high >>> 1;
                final long h = pairs[2 * mid];
                final int c = h != hi ? Long.compare(h, hi) : Long.compare(pairs[2 * mid + 1], lo);
                if (c == 0)
                {
                    return true;
                }
                if (c < 0)
                {
                    low = mid + 1;
                }
                else
                {
                    high = mid - 1;
                }
            }
            return false;
        }
    }
}
