package dev.edgeplane.controlplane.config;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.edgeplane.codec.Json;
import dev.edgeplane.controlplane.flow.CompiledFlow;
import dev.edgeplane.controlplane.flow.CompileResult;
import dev.edgeplane.controlplane.flow.FlowCompiler;
import dev.edgeplane.persistence.config.AccountConfig;
import dev.edgeplane.persistence.config.DeviceConfig;
import dev.edgeplane.persistence.config.FlowConfig;
import dev.edgeplane.persistence.config.QueueConfig;
import dev.edgeplane.persistence.config.ScheduleConfig;
import dev.edgeplane.persistence.config.TrunkConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One account's configuration indexed for the hot path: devices by username, schedules and compiled
 * flows by id, trunk prefixes longest first.
 *
 * <p>Immutable and thread-safe; built off the hot path when configuration changes.
 */
public final class CompiledAccount
{
    private static final Logger LOG = LoggerFactory.getLogger(CompiledAccount.class);

    private record Prefix(String digits, TrunkConfig trunk)
    {
    }

    private final AccountConfig config;
    private final Map<String, DeviceConfig> devices = new HashMap<>();
    private final Map<String, ScheduleConfig> schedules = new HashMap<>();
    private final Map<String, CompiledFlow> flows = new HashMap<>();
    private final Map<String, QueueConfig> queues = new HashMap<>();
    private final List<Prefix> prefixes = new ArrayList<>();
    private final String extraHeaders;

    CompiledAccount(final AccountConfig config)
    {
        this.config = config;
        config.devices().forEach(d -> devices.put(d.username(), d));
        config.schedules().forEach(s -> schedules.put(s.id(), s));
        config.queues().forEach(q -> queues.put(q.id(), q));
        for (final FlowConfig f : config.flows())
        {
            final byte[] json = f.definitionJson().getBytes(StandardCharsets.UTF_8);
            final CompileResult compiled = FlowCompiler.compile(f.id(), Json.parse(json, 0, json.length));
            if (compiled.flow() != null)
            {
                flows.put(f.id(), compiled.flow());
            }
            else
            {
                // Stored flows were validated on apply; this only happens if validation rules got stricter.
                LOG.warn("flow {} of account {} no longer compiles: {}", f.id(), config.id(), compiled.problems());
            }
        }
        for (final TrunkConfig t : config.trunks())
        {
            t.prefixes().forEach(p -> prefixes.add(new Prefix(p, t)));
        }
        prefixes.sort(Comparator.comparingInt((Prefix p) -> p.digits.length()).reversed());
        this.extraHeaders = "X-Account-Id: " + config.id() + "\r\n";
    }

    public AccountConfig config()
    {
        return config;
    }

    public String id()
    {
        return config.id();
    }

    public String domain()
    {
        return config.domain();
    }

    public int maxChannels()
    {
        return config.maxChannels();
    }

    /** @return the device with this SIP username, or null. */
    public DeviceConfig device(final String username)
    {
        return username == null ? null : devices.get(username);
    }

    public ScheduleConfig schedule(final String id)
    {
        return id == null ? null : schedules.get(id);
    }

    public CompiledFlow flow(final String id)
    {
        return flows.get(id);
    }

    public QueueConfig queue(final String id)
    {
        return queues.get(id);
    }

    /** @return the trunk whose prefix is the longest match for {@code digits}, or null (use the wholesale default). */
    public TrunkConfig trunkFor(final String digits)
    {
        for (final Prefix p : prefixes)
        {
            if (digits.startsWith(p.digits))
            {
                return p.trunk;
            }
        }
        return null;
    }

    /** @return the {@code headers.extra} value for rtjson routes: complete header lines, each ending in CRLF. */
    public String extraHeaders()
    {
        return extraHeaders;
    }
}
