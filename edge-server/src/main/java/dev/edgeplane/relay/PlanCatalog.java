package dev.edgeplane.relay;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.edgeplane.codec.DecodeException;
import dev.edgeplane.codec.Fields;
import dev.edgeplane.codec.Json;
import dev.edgeplane.codec.Problems;

/**
 * The plans a subscription can be on ({@code RELAY_PLANS_JSON}, or a built-in default): the LemonSqueezy
 * variant that sells each plan, the Time Bank seconds it includes per cycle, and its rank (a subscription
 * moved to a lower rank is a downgrade).
 *
 * <p>Immutable and thread-safe.
 */
final class PlanCatalog
{
    static final String DEFAULT_JSON = """
        [{"plan":"starter","variant_id":"100001","included_seconds":36000,"rank":1},
         {"plan":"pro","variant_id":"100002","included_seconds":180000,"rank":2}]""";

    record Plan(String name, String variantId, long includedSeconds, int rank)
    {
    }

    private final Map<String, Plan> byName;
    private final Map<String, Plan> byVariant;

    private PlanCatalog(final Map<String, Plan> byName, final Map<String, Plan> byVariant)
    {
        this.byName = byName;
        this.byVariant = byVariant;
    }

    /** @throws IllegalArgumentException listing every problem when the document is not valid. */
    @SuppressWarnings("unchecked")
    static PlanCatalog parse(final String json)
    {
        final byte[] bytes = (json == null ? DEFAULT_JSON : json).getBytes(StandardCharsets.UTF_8);
        final Object tree;
        try
        {
            tree = Json.parse(bytes, 0, bytes.length);
        }
        catch (final DecodeException e)
        {
            throw new IllegalArgumentException(RelaySettings.PLANS_JSON + " is not JSON: " + e.getMessage());
        }
        if (!(tree instanceof List<?> list) || list.isEmpty())
        {
            throw new IllegalArgumentException(RelaySettings.PLANS_JSON + " must be a non-empty array of plans");
        }
        final Problems p = new Problems();
        final Map<String, Plan> byName = new LinkedHashMap<>();
        final Map<String, Plan> byVariant = new LinkedHashMap<>();
        for (int i = 0; i < list.size(); i++)
        {
            final String path = "[" + i + "]";
            if (!(list.get(i) instanceof Map<?, ?>))
            {
                p.add(path, "must be an object");
                continue;
            }
            final Fields f = Fields.of((Map<String, Object>)list.get(i), path);
            final String name = f.requireString("plan", p);
            final Object variant = f.raw("variant_id");
            final long included = f.requireLong("included_seconds", 0, Long.MAX_VALUE / 1000, p);
            final long rank = f.optLong("rank", i + 1, 0, 1000, p);
            if (variant == null)
            {
                p.add(path + ".variant_id", "is required");
                continue;
            }
            if (name == null)
            {
                continue;
            }
            final Plan plan = new Plan(name, String.valueOf(variant), included, (int)rank);
            if (byName.put(name, plan) != null || byVariant.put(plan.variantId(), plan) != null)
            {
                p.add(path, "repeats a plan name or variant");
            }
        }
        if (!p.isEmpty())
        {
            throw new IllegalArgumentException(RelaySettings.PLANS_JSON + " is not valid: " + p);
        }
        return new PlanCatalog(byName, byVariant);
    }

    Plan byName(final String name)
    {
        return name == null ? null : byName.get(name);
    }

    Plan byVariant(final String variantId)
    {
        return variantId == null ? null : byVariant.get(variantId);
    }

    /** @return the plan names, for error messages. */
    java.util.Set<String> names()
    {
        return byName.keySet();
    }
}
