package dev.edgeplane.relay;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;

import dev.edgeplane.codec.Problems;

/**
 * The fields of a LemonSqueezy webhook delivery the relay acts on, taken from its JSON:API body:
 * {@code meta.event_name}, {@code meta.custom_data.user_id} (our checkout puts the user id there),
 * {@code data.type}/{@code data.id}, and from {@code data.attributes}: {@code user_email}, {@code variant_id},
 * {@code status}, {@code renews_at}, {@code ends_at}, {@code updated_at}, {@code subscription_id} (invoices)
 * and {@code first_subscription_item.quantity} (each unit above 1 is one add-on).
 *
 * <p>Immutable and thread-safe once parsed.
 */
record WebhookEvent(String name, String userIdHint, String email, String dataType, String dataId,
    String subscriptionId, String variantId, String status, int quantity, long updatedAtMillis, long renewsAtMillis,
    long endsAtMillis, Map<String, Object> tree)
{
    /** @return the event, or null with problems recorded. */
    @SuppressWarnings("unchecked")
    static WebhookEvent parse(final Object root, final Problems problems)
    {
        if (!(root instanceof Map<?, ?> rootMap))
        {
            problems.add("", "must be a JSON object");
            return null;
        }
        final Map<String, Object> tree = (Map<String, Object>)rootMap;
        final Map<String, Object> meta = object(tree.get("meta"));
        final Map<String, Object> data = object(tree.get("data"));
        final Map<String, Object> attributes = object(data.get("attributes"));
        final String name = string(meta.get("event_name"));
        if (name == null)
        {
            problems.add("meta.event_name", "is required");
        }
        final String dataType = string(data.get("type"));
        final String dataId = string(data.get("id"));
        final String subscriptionId = "subscriptions".equals(dataType) ? dataId : string(attributes.get("subscription_id"));
        final Object item = attributes.get("first_subscription_item");
        long quantity = 1;
        if (item instanceof Map<?, ?> m && m.get("quantity") instanceof Long q)
        {
            quantity = Math.max(1, Math.min(q, 1000));
        }
        final WebhookEvent e = new WebhookEvent(name, string(object(meta.get("custom_data")).get("user_id")),
            string(attributes.get("user_email")), dataType, dataId, subscriptionId, string(attributes.get("variant_id")),
            string(attributes.get("status")), (int)quantity, time(attributes, "updated_at", problems),
            time(attributes, "renews_at", problems), time(attributes, "ends_at", problems), tree);
        return problems.isEmpty() ? e : null;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(final Object v)
    {
        return v instanceof Map<?, ?> m ? (Map<String, Object>)m : Map.of();
    }

    /** Strings and integers as text (LemonSqueezy ids are numbers); longer than any real value → absent. */
    private static String string(final Object v)
    {
        if (v instanceof String s)
        {
            return s.isEmpty() || s.length() > 254 || s.indexOf('\0') >= 0 ? null : s;
        }
        return v instanceof Long n ? Long.toString(n) : null;
    }

    private static long time(final Map<String, Object> attributes, final String name, final Problems problems)
    {
        final Object v = attributes.get(name);
        if (v == null)
        {
            return 0;
        }
        if (v instanceof String s)
        {
            try
            {
                return Instant.parse(s).toEpochMilli();
            }
            catch (final DateTimeParseException e)
            {
                // fall through
            }
        }
        problems.add("data.attributes." + name, "must be an ISO-8601 instant");
        return 0;
    }
}
