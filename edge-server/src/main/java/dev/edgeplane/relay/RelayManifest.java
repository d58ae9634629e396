package dev.edgeplane.relay;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import dev.edgeplane.codec.DecodeException;
import dev.edgeplane.codec.Fields;
import dev.edgeplane.codec.Problems;

/**
 * The launchable regions and relay image metadata ({@code RELAY_MANIFEST_JSON}, or a built-in default), and
 * the per-region capacity in use: how many relays are provisioning, active or in grace in each region.
 *
 * <p>The in-use counters are derived state (like the control plane's CAC counters): rebuilt from the
 * off-heap sessions at start-up, then changed by the shards when a session is created or stops. A launch
 * reserves a slot with a compare-and-set, so a region is never over-committed however many shards race.
 *
 * <p>Thread-safe: immutable configuration plus atomic counters.
 */
final class RelayManifest
{
    static final String DEFAULT_JSON = """
        {"default_region":"us-west-2",
         "image":{"name":"telemy-relay","version":"0.0.5","instance_type":"t4g.small","srt_port":5000,"stats_port":5080},
         "regions":[
          {"region":"us-west-2","name":"US West (Oregon)","image_id":"ami-0e1f5a3c9b7d24601","capacity":20},
          {"region":"us-east-1","name":"US East (N. Virginia)","image_id":"ami-0e1f5a3c9b7d24602","capacity":20},
          {"region":"eu-central-1","name":"EU (Frankfurt)","image_id":"ami-0e1f5a3c9b7d24603","capacity":20}]}""";

    /** One region: its capacity (most live relays at once) and whether it takes new relays at all. */
    record Region(String region, String name, String imageId, int capacity, boolean enabled, AtomicInteger inUse)
    {
        boolean launchable()
        {
            return enabled && inUse.get() < capacity;
        }
    }

    private final Map<String, Region> regions;
    private final String defaultRegion;
    private final Map<String, Object> image;

    private RelayManifest(final Map<String, Region> regions, final String defaultRegion, final Map<String, Object> image)
    {
        this.regions = regions;
        this.defaultRegion = defaultRegion;
        this.image = image;
    }

    /**
     * @param json the manifest document, or null for the default.
     * @throws IllegalArgumentException listing every problem when the document is not valid.
     */
    static RelayManifest parse(final String json)
    {
        final byte[] bytes = (json == null ? DEFAULT_JSON : json).getBytes(StandardCharsets.UTF_8);
        final Fields f;
        try
        {
            f = Fields.fromJson(bytes, 0, bytes.length);
        }
        catch (final DecodeException e)
        {
            throw new IllegalArgumentException(RelaySettings.MANIFEST_JSON + " is not a JSON object: " + e.getMessage());
        }
        final Problems p = new Problems();
        final Map<String, Object> image = f.optObject("image", p);
        final List<Object> list = f.optList("regions", p);
        final Map<String, Region> regions = new LinkedHashMap<>();
        if (list == null || list.isEmpty())
        {
            p.add("regions", "must list at least one region");
        }
        else
        {
            for (int i = 0; i < list.size(); i++)
            {
                final String path = "regions[" + i + "]";
                if (!(list.get(i) instanceof Map<?, ?>))
                {
                    p.add(path, "must be an object");
                    continue;
                }
                @SuppressWarnings("unchecked")
                final Fields r = Fields.of((Map<String, Object>)list.get(i), path);
                final String region = r.requireString("region", p);
                final String name = r.optString("name", region, p);
                final String imageId = r.optString("image_id", "", p);
                final long capacity = r.optLong("capacity", 10, 0, 1_000_000, p);
                final boolean enabled = r.optBoolean("enabled", true, p);
                if (region != null && !region.matches("[a-z0-9-]{1,64}"))
                {
                    p.add(path + ".region", "must be 1 to 64 of a-z, 0-9 and '-'");
                }
                else if (region != null && regions.put(region,
                    new Region(region, name, imageId, (int)capacity, enabled, new AtomicInteger())) != null)
                {
                    p.add(path + ".region", "is listed twice");
                }
            }
        }
        String defaultRegion = f.optString("default_region", null, p);
        if (defaultRegion == null && !regions.isEmpty())
        {
            defaultRegion = regions.keySet().iterator().next();
        }
        else if (defaultRegion != null && !regions.containsKey(defaultRegion))
        {
            p.add("default_region", "must be one of the regions");
        }
        if (!p.isEmpty())
        {
            throw new IllegalArgumentException(RelaySettings.MANIFEST_JSON + " is not valid: " + p);
        }
        return new RelayManifest(regions, defaultRegion, image == null ? Map.of() : image);
    }

    Region region(final String name)
    {
        return name == null ? null : regions.get(name);
    }

    String defaultRegion()
    {
        return defaultRegion;
    }

    /** @return the image's {@code instance_type}, or a default. */
    String instanceType()
    {
        return image.get("instance_type") instanceof String s ? s : "t4g.small";
    }

    /** @return the image's {@code srt_port}, or 0 when not configured. */
    long srtPort()
    {
        return image.get("srt_port") instanceof Long n ? n : 0;
    }

    /** Reserves a slot in {@code region}; false when the region is disabled or full. */
    boolean tryReserve(final String region)
    {
        final Region r = regions.get(region);
        if (r == null || !r.enabled())
        {
            return false;
        }
        while (true)
        {
            final int n = r.inUse().get();
            if (n >= r.capacity())
            {
                return false;
            }
            if (r.inUse().compareAndSet(n, n + 1))
            {
                return true;
            }
        }
    }

    /** Gives a slot back (the session stopped). */
    void release(final String region)
    {
        final Region r = regions.get(region);
        if (r != null)
        {
            r.inUse().updateAndGet(n -> Math.max(0, n - 1));
        }
    }

    /** Counts a live session found at start-up. */
    void restore(final String region)
    {
        final Region r = regions.get(region);
        if (r != null)
        {
            r.inUse().incrementAndGet();
        }
    }

    /** @return the {@code GET /relay/manifest} body. */
    Map<String, Object> manifestView()
    {
        final List<Object> list = new ArrayList<>();
        for (final Region r : regions.values())
        {
            final Map<String, Object> m = new LinkedHashMap<>();
            m.put("region", r.region());
            m.put("name", r.name());
            m.put("image_id", r.imageId());
            m.put("launchable", r.launchable());
            list.add(m);
        }
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("default_region", defaultRegion);
        body.put("image", image);
        body.put("regions", list);
        return body;
    }

    /** @return the public {@code GET /capacity/status} body: per region, up and able to take a new relay. */
    Map<String, Object> capacityView(final boolean provisionerUp)
    {
        final List<Object> list = new ArrayList<>();
        for (final Region r : regions.values())
        {
            final Map<String, Object> m = new LinkedHashMap<>();
            m.put("region", r.region());
            m.put("available", r.enabled() && provisionerUp);
            m.put("launchable", r.launchable() && provisionerUp);
            list.add(m);
        }
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("regions", list);
        return body;
    }
}
