package dev.edgeplane.controlplane;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.edgeplane.codec.DecodeException;
import dev.edgeplane.codec.Fields;
import dev.edgeplane.codec.Json;
import dev.edgeplane.codec.Problems;

/**
 * One node's ban snapshot from {@code POST /security/report {nodeId, bans:[{ip, reason, since,
 * expires}]}} (docs/SPEC-control-plane.md, "Security"), validated whole: a report with any problem is
 * refused and replaces nothing.
 *
 * <p>{@code ip} is a literal IPv4/IPv6 address (no DNS), kept in canonical text; {@code since} and
 * {@code expires} are epoch seconds (a JSON integer or a string of digits) or ISO-8601 instants;
 * no {@code expires} means the ban does not expire. A form body may carry {@code bans} as JSON
 * text. Unknown fields are ignored, as on the other control-plane POSTs.
 *
 * <p>Immutable and thread-safe once parsed.
 *
 * @param nodeId     the reporting node.
 * @param bans       its bans, in report order.
 * @param receivedAt when this node received the report (epoch millis).
 */
record BanReport(String nodeId, List<Ban> bans, long receivedAt)
{
    /** Longest node id. */
    static final int MAX_NODE_ID = 128;
    /** Most bans in one report. */
    static final int MAX_BANS = 10_000;
    /** Longest ban reason. */
    static final int MAX_REASON = 256;
    /** The source name of the control plane's own /auth bans in the merged view; no node may use it. */
    static final String AUTH_SOURCE = "auth";
    /** {@code expiresAt} of a ban without an expiry. */
    static final long NO_EXPIRY = Long.MAX_VALUE;
    /** 9999-12-31T23:59:59Z: larger epoch numbers are milliseconds or nonsense. */
    private static final long MAX_EPOCH_SECONDS = 253_402_300_799L;
    private static final int MAX_INSTANT_TEXT = 64;

    /**
     * @param ip        canonical address.
     * @param reason    as reported, or null.
     * @param since     epoch millis.
     * @param expiresAt epoch millis, or {@link #NO_EXPIRY}.
     */
    record Ban(IpBlock ip, String reason, long since, long expiresAt)
    {
        boolean activeAt(final long now)
        {
            return expiresAt > now;
        }
    }

    /**
     * @return the report, or null with every problem recorded in {@code problems}.
     */
    static BanReport parse(final Fields f, final long now, final Problems problems)
    {
        final String nodeId = Requests.text(f, "nodeId", true, problems);
        if (nodeId != null)
        {
            if (nodeId.length() > MAX_NODE_ID)
            {
                problems.add("nodeId", "must be at most " + MAX_NODE_ID + " characters");
            }
            else if (AUTH_SOURCE.equals(nodeId))
            {
                problems.add("nodeId", "'" + AUTH_SOURCE + "' is reserved for the control plane's own /auth bans");
            }
        }
        final List<Object> raw = bansOf(f, problems);
        final List<Ban> bans = new ArrayList<>(raw == null ? 0 : raw.size());
        if (raw != null && raw.size() > MAX_BANS)
        {
            problems.add("bans", "must have at most " + MAX_BANS + " entries, not " + raw.size());
        }
        else if (raw != null)
        {
            for (int i = 0; i < raw.size(); i++)
            {
                final Ban ban = ban(raw.get(i), "bans[" + i + "]", problems);
                if (ban != null)
                {
                    bans.add(ban);
                }
            }
        }
        return problems.isEmpty() ? new BanReport(nodeId, List.copyOf(bans), now) : null;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> bansOf(final Fields f, final Problems problems)
    {
        final Object value = f.raw("bans");
        if (value instanceof String text)
        {
            // A form body carries the list as JSON text.
            final byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            try
            {
                final Object parsed = Json.parse(bytes, 0, bytes.length);
                if (parsed instanceof List<?> list)
                {
                    return (List<Object>)list;
                }
            }
            catch (final DecodeException e)
            {
                // reported below
            }
            problems.add("bans", "must be an array (in a form: JSON array text)");
            return null;
        }
        if (value == null)
        {
            problems.add("bans", "is required (an empty array clears the node's bans)");
            return null;
        }
        return f.optList("bans", problems);
    }

    @SuppressWarnings("unchecked")
    private static Ban ban(final Object value, final String path, final Problems problems)
    {
        if (!(value instanceof Map<?, ?>))
        {
            problems.add(path, "must be an object");
            return null;
        }
        final Fields b = Fields.of((Map<String, Object>)value, path);
        final int before = problems.size();
        final String ipText = b.requireString("ip", problems);
        final IpBlock ip = ipText == null ? null : IpBlock.address(ipText);
        if (ipText != null && ip == null)
        {
            problems.add(path + ".ip", "must be a literal IPv4 or IPv6 address");
        }
        final String reason = b.optString("reason", null, problems);
        if (reason != null && reason.length() > MAX_REASON)
        {
            problems.add(path + ".reason", "must be at most " + MAX_REASON + " characters");
        }
        else if (reason != null && reason.indexOf('\0') >= 0)
        {
            problems.add(path + ".reason", "must not contain NUL");
        }
        final long since = instant(b.raw("since"), path + ".since", true, problems);
        final long expires = instant(b.raw("expires"), path + ".expires", false, problems);
        if (problems.size() > before)
        {
            return null;
        }
        if (expires < since)
        {
            problems.add(path + ".expires", "must not be before since");
            return null;
        }
        return new Ban(ip, reason, since, expires);
    }

    /**
     * @return epoch millis; {@link #NO_EXPIRY} when absent and optional; with a problem recorded, -1.
     */
    static long instant(final Object value, final String path, final boolean required, final Problems problems)
    {
        if (value == null)
        {
            if (required)
            {
                problems.add(path, "is required");
                return -1;
            }
            return NO_EXPIRY;
        }
        if (value instanceof Long seconds)
        {
            return epochSeconds(seconds, path, problems);
        }
        if (value instanceof String text && !text.isEmpty() && text.length() <= MAX_INSTANT_TEXT)
        {
            if (text.chars().allMatch(c -> c >= '0' && c <= '9'))
            {
                return text.length() > 19 ? epochSeconds(Long.MAX_VALUE, path, problems)
                    : epochSeconds(Long.parseLong(text), path, problems);
            }
            try
            {
                final Instant instant = Instant.parse(text);
                if (instant.getEpochSecond() >= 0 && instant.getEpochSecond() <= MAX_EPOCH_SECONDS)
                {
                    return instant.toEpochMilli();
                }
            }
            catch (final DateTimeParseException e)
            {
                // reported below
            }
        }
        problems.add(path, "must be epoch seconds or an ISO-8601 instant (e.g. 2026-01-31T12:00:00Z) after 1970");
        return -1;
    }

    private static long epochSeconds(final long seconds, final String path, final Problems problems)
    {
        if (seconds < 0 || seconds > MAX_EPOCH_SECONDS)
        {
            problems.add(path, "must be epoch seconds between 0 and " + MAX_EPOCH_SECONDS + " (not milliseconds)");
            return -1;
        }
        return seconds * 1000;
    }
}
