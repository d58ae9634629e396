package dev.edgeplane.services;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One instance as the services database holds it: its {@code instance_infra} row and its {@code instance_services}
 * rows (seed 002, "Database").
 */
record InstanceRecord(String instanceId, String provider, String serviceId, String envId, String projectId, String url,
    String deployStatus, String runtimeImage, String volumeId, List<Tool> services)
{
    /** One {@code instance_services} row; {@code envValue} may be a secret and never leaves the server. */
    record Tool(String toolId, String resourceId, Map<String, Object> meta, String envKey, String envValue, String status)
    {
    }

    Tool tool(final String toolId)
    {
        return services.stream().filter(t -> toolId.equals(t.toolId())).findFirst().orElse(null);
    }

    /** The answer of create (201, or 200 for a repeated create): secret values are never echoed. */
    Map<String, Object> view()
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("instanceId", instanceId);
        m.put("serviceId", serviceId);
        m.put("url", url);
        m.put("deployStatus", deployStatus);
        m.put("runtimeImage", runtimeImage);
        m.put("volumeId", volumeId);
        m.put("services", services.stream().map(t ->
        {
            final Map<String, Object> s = new LinkedHashMap<>();
            s.put("toolId", t.toolId());
            s.put("resourceId", t.resourceId());
            s.put("envKey", t.envKey());
            return s;
        }).toList());
        return m;
    }
}
