package dev.edgeplane.services;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An answer of the services logic as a value (docs/STYLE.md, "Errors are data"): an HTTP status with a JSON tree, or
 * the one error body's code, message and details. The HTTP glue ({@link ServicesHandlers}) renders it.
 */
record ServicesResult(int status, Object body, String code, String message, Map<String, Object> details)
{
    static ServicesResult json(final int status, final Object body)
    {
        return new ServicesResult(status, body, null, null, null);
    }

    static ServicesResult error(final int status, final String code, final String message, final Map<String, Object> details)
    {
        return new ServicesResult(status, null, code, message, details);
    }

    boolean isError()
    {
        return code != null;
    }

    /** @return alternating keys and values as an ordered map; null values are kept. */
    static Map<String, Object> details(final Object... pairs)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2)
        {
            m.put((String)pairs[i], pairs[i + 1]);
        }
        return m;
    }
}
