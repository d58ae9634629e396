package dev.edgeplane.controlplane;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import dev.edgeplane.codec.Fields;
import dev.edgeplane.codec.Problems;

/**
 * The merged answer of {@code GET /security/bans}: every ban the reporting nodes and our own
 * {@code /auth} guard know, one entry per address.
 *
 * <ul>
 *   <li>{@code sources}: every ban of the address (active or expired), most recent {@code since}
 *       first; an {@code /auth} ban is source {@value BanReport#AUTH_SOURCE}.</li>
 *   <li>{@code status}: {@code active} while any source's ban has not expired.</li>
 *   <li>{@code allowlisted}: an allowlist entry covers the address; {@code /auth} then neither
 *       enforces nor counts anything for it.</li>
 *   <li>{@code flagged}: more than one reporter (distinct nodes, or a node and {@code /auth})
 *       bans it, or it is allowlisted yet reported.</li>
 *   <li>{@code enforced}: active and not allowlisted.</li>
 * </ul>
 * Entries are sorted by their most recent {@code since}, newest first (then by address).
 *
 * <p>Not thread-safe: one instance per request, built on the blocking pool.
 */
final class BanView
{
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;
    static final String AUTH_REASON = "auth failures";

    /** Which entries a request wants. */
    enum Status
    {
        ACTIVE, EXPIRED, ALL
    }

    /**
     * @param q       lower-case substring of the address or a reason, or null for any.
     * @param flagged wanted flag, or null for any.
     */
    record Filter(Status status, String q, Boolean flagged, int limit)
    {
        /** @return the filter from {@code ?status=&q=&flagged=&limit=}, or null with problems recorded. */
        static Filter parse(final Fields query, final Problems problems)
        {
            final String statusText = Requests.text(query, "status", false, problems);
            Status status = Status.ACTIVE;
            if (statusText != null)
            {
                switch (statusText)
                {
                    case "active" -> status = Status.ACTIVE;
                    case "expired" -> status = Status.EXPIRED;
                    case "all" -> status = Status.ALL;
                    default -> problems.add("status", "must be active, expired or all");
                }
            }
            final String q = Requests.text(query, "q", false, problems);
            Boolean flagged = null;
            final String flaggedText = Requests.text(query, "flagged", false, problems);
            if ("true".equals(flaggedText))
            {
                flagged = Boolean.TRUE;
            }
            else if ("false".equals(flaggedText))
            {
                flagged = Boolean.FALSE;
            }
            else if (flaggedText != null)
            {
                problems.add("flagged", "must be true or false");
            }
            final long limit = query.optLong("limit", DEFAULT_LIMIT, 1, MAX_LIMIT, problems);
            return problems.isEmpty()
                ? new Filter(status, q == null || q.isEmpty() ? null : q.toLowerCase(Locale.ROOT), flagged, (int)limit)
                : null;
        }
    }

    /** One ban of an address by one reporter. */
    record Source(String node, String reason, long since, long expiresAt)
    {
        Map<String, Object> toJson()
        {
            final Map<String, Object> m = new LinkedHashMap<>();
            m.put("node", node);
            m.put("reason", reason);
            m.put("since", Instant.ofEpochMilli(since).toString());
            m.put("expires", expiresAt == BanReport.NO_EXPIRY ? null : Instant.ofEpochMilli(expiresAt).toString());
            return m;
        }
    }

    /** One address of the merged view. */
    record Entry(String ip, List<Source> sources, boolean active, boolean allowlisted, boolean flagged, long latestSince)
    {
        boolean matches(final Filter f)
        {
            if (f.status() == Status.ACTIVE && !active || f.status() == Status.EXPIRED && active)
            {
                return false;
            }
            if (f.flagged() != null && f.flagged() != flagged)
            {
                return false;
            }
            if (f.q() == null || ip.toLowerCase(Locale.ROOT).contains(f.q()))
            {
                return true;
            }
            for (final Source s : sources)
            {
                if (s.reason() != null && s.reason().toLowerCase(Locale.ROOT).contains(f.q()))
                {
                    return true;
                }
            }
            return false;
        }

        Map<String, Object> toJson()
        {
            final Map<String, Object> m = new LinkedHashMap<>();
            m.put("ip", ip);
            m.put("status", active ? "active" : "expired");
            final List<Object> list = new ArrayList<>(sources.size());
            for (final Source s : sources)
            {
                list.add(s.toJson());
            }
            m.put("sources", list);
            m.put("flagged", flagged);
            m.put("allowlisted", allowlisted);
            m.put("enforced", active && !allowlisted);
            return m;
        }
    }

    private static final Comparator<Source> NEWEST_SOURCE_FIRST =
        Comparator.comparingLong(Source::since).reversed().thenComparing(Source::node);
    private static final Comparator<Entry> NEWEST_ENTRY_FIRST =
        Comparator.comparingLong(Entry::latestSince).reversed().thenComparing(Entry::ip);

    private final long now;
    private final Map<String, List<Source>> byIp = new HashMap<>();
    private final Map<String, IpBlock> addresses = new HashMap<>();

    BanView(final long now)
    {
        this.now = now;
    }

    /** Adds every ban of a node's snapshot. */
    void addNode(final BanReport report)
    {
        for (final BanReport.Ban b : report.bans())
        {
            add(b.ip().text(), b.ip(), new Source(report.nodeId(), b.reason(), b.since(), b.expiresAt()));
        }
    }

    /**
     * Adds an {@code /auth} ban.
     *
     * @param key the guard's key: the {@code sourceIp} as the SIP layer sent it (shown as sent when
     *            it is not a literal address).
     */
    void addAuthBan(final String key, final long since, final long until)
    {
        final IpBlock address = IpBlock.address(key);
        add(address == null ? key : address.text(), address, new Source(BanReport.AUTH_SOURCE, AUTH_REASON, since, until));
    }

    private void add(final String ip, final IpBlock address, final Source source)
    {
        byIp.computeIfAbsent(ip, k -> new ArrayList<>()).add(source);
        if (address != null)
        {
            addresses.putIfAbsent(ip, address);
        }
    }

    /** @return every entry, sorted newest first. */
    List<Entry> entries(final AllowList allow)
    {
        final List<Entry> entries = new ArrayList<>(byIp.size());
        final Set<String> reporters = new HashSet<>();
        for (final Map.Entry<String, List<Source>> e : byIp.entrySet())
        {
            final List<Source> sources = e.getValue();
            sources.sort(NEWEST_SOURCE_FIRST);
            boolean active = false;
            reporters.clear();
            for (final Source s : sources)
            {
                active |= s.expiresAt() > now;
                reporters.add(s.node());
            }
            final IpBlock address = addresses.get(e.getKey());
            final boolean allowlisted = address != null && allow.covers(address);
            entries.add(new Entry(e.getKey(), List.copyOf(sources), active, allowlisted,
                reporters.size() > 1 || allowlisted, sources.get(0).since()));
        }
        entries.sort(NEWEST_ENTRY_FIRST);
        return entries;
    }

    /** @return {@code {"bans":[...],"count":N,"total":M}}: the first {@code limit} matches of {@code total}. */
    Map<String, Object> answer(final AllowList allow, final Filter filter)
    {
        final List<Object> bans = new ArrayList<>();
        long total = 0;
        for (final Entry e : entries(allow))
        {
            if (e.matches(filter))
            {
                total++;
                if (bans.size() < filter.limit())
                {
                    bans.add(e.toJson());
                }
            }
        }
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("bans", bans);
        body.put("count", (long)bans.size());
        body.put("total", total);
        return body;
    }
}
