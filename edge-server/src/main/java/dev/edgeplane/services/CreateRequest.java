package dev.edgeplane.services;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A validated {@code POST /create-instance} body (docs/SPEC-services.md, "Wire details"): {@code instanceId}
 * (1–64 of {@code [A-Za-z0-9_-]}), {@code name} (default {@code convos-agent-<instanceId>}), {@code tools} (default
 * openrouter + agentmail), {@code env}, {@code runtimeImage} (default {@code RAILWAY_RUNTIME_IMAGE}).
 */
record CreateRequest(String instanceId, String name, List<String> tools, Map<String, String> env, String runtimeImage)
{
    static final String NAME_PREFIX = "convos-agent-";

    /** The form kept in the saga log (the saga can be rebuilt from it at start-up); env values are kept. */
    Map<String, Object> toLog()
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("instanceId", instanceId);
        m.put("name", name);
        m.put("tools", tools);
        m.put("env", new LinkedHashMap<String, Object>(env));
        m.put("runtimeImage", runtimeImage);
        return m;
    }

    static CreateRequest fromLog(final Map<String, Object> m)
    {
        final List<String> tools = new ArrayList<>();
        for (final Object t : Trees.list(m, "tools"))
        {
            tools.add(String.valueOf(t));
        }
        final Map<String, String> env = new LinkedHashMap<>();
        if (m.get("env") instanceof Map<?, ?> e)
        {
            e.forEach((k, v) -> env.put(String.valueOf(k), String.valueOf(v)));
        }
        return new CreateRequest(Trees.str(m, "instanceId"), Trees.str(m, "name"), tools, env, Trees.str(m, "runtimeImage"));
    }
}
