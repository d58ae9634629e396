package dev.edgeplane.services;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import dev.edgeplane.codec.Fields;
import dev.edgeplane.codec.Problems;

/**
 * Validation of the services API's request bodies (docs/SPEC-services.md, "Wire details"). Every problem is
 * collected and reported at once; unknown fields are problems too (they are usually typos). A request with a
 * problem changes nothing.
 *
 * <p>Stateless and thread-safe.
 */
final class ServicesRequests
{
    static final Pattern INSTANCE_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Pattern ENV_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,99}");
    private static final int MAX_ENV = 200;
    private static final int MAX_VALUE = 32 * 1024;

    /** A parsed request or the problems that refuse it. */
    record Parsed<T>(T value, Problems problems)
    {
    }

    private ServicesRequests()
    {
    }

    static boolean validInstanceId(final String id)
    {
        return id != null && INSTANCE_ID.matcher(id).matches();
    }

    static Parsed<CreateRequest> create(final Fields f, final String defaultImage)
    {
        final Problems p = new Problems();
        unknown(f, Set.of("instanceId", "name", "tools", "env", "runtimeImage"), p);
        final String id = f.requireString("instanceId", p);
        if (id != null && !validInstanceId(id))
        {
            p.add("instanceId", "must be 1-64 characters of A-Z, a-z, 0-9, '_' and '-'");
        }
        String name = f.optString("name", null, p);
        if (name != null && !NAME.matcher(name).matches())
        {
            p.add("name", "must be 1-100 characters of A-Z, a-z, 0-9, '_' and '-', starting with a letter or digit");
        }
        if (name == null && id != null)
        {
            name = CreateRequest.NAME_PREFIX + id;
        }
        final List<String> tools = new ArrayList<>();
        if (f.has("tools"))
        {
            final List<Object> list = f.optList("tools", p);
            if (list != null)
            {
                for (int i = 0; i < list.size(); i++)
                {
                    final Object t = list.get(i);
                    if (!(t instanceof String s) || !InstanceProvisioner.TOOLS.containsKey(s))
                    {
                        p.add("tools[" + i + "]", "must be one of " + InstanceProvisioner.TOOLS.keySet());
                    }
                    else if (tools.contains(s))
                    {
                        p.add("tools[" + i + "]", "is listed twice");
                    }
                    else
                    {
                        tools.add(s);
                    }
                }
            }
        }
        else
        {
            tools.addAll(InstanceProvisioner.DEFAULT_TOOLS);
        }
        // Saga order, whatever order the caller listed them in.
        tools.sort((a, b) -> indexOf(a) - indexOf(b));
        final Map<String, String> env = env(f, "env", false, p);
        String image = f.optString("runtimeImage", null, p);
        if (image != null && (image.isBlank() || image.length() > 512 || image.chars().anyMatch(c -> c <= ' ')))
        {
            p.add("runtimeImage", "must be an image reference without spaces, at most 512 characters");
        }
        if (image == null)
        {
            image = defaultImage;
        }
        return new Parsed<>(p.isEmpty() ? new CreateRequest(id, name, List.copyOf(tools), env, image) : null, p);
    }

    private static int indexOf(final String tool)
    {
        return new ArrayList<>(InstanceProvisioner.TOOLS.keySet()).indexOf(tool);
    }

    static Parsed<Map<String, String>> configure(final Fields f)
    {
        final Problems p = new Problems();
        unknown(f, Set.of("env"), p);
        if (!f.has("env"))
        {
            p.add("env", "is required");
        }
        final Map<String, String> env = env(f, "env", true, p);
        return new Parsed<>(p.isEmpty() ? env : null, p);
    }

    /** @return the ids asked for, or a null value (all) when the body has none. */
    static Parsed<List<String>> statusBatch(final Fields f)
    {
        final Problems p = new Problems();
        unknown(f, Set.of("instanceIds"), p);
        if (!f.has("instanceIds") || f.raw("instanceIds") == null)
        {
            return new Parsed<>(null, p);
        }
        final List<Object> list = f.optList("instanceIds", p);
        final List<String> ids = new ArrayList<>();
        if (list != null)
        {
            if (list.size() > 10_000)
            {
                p.add("instanceIds", "at most 10000 ids");
            }
            for (int i = 0; i < list.size() && i < 10_000; i++)
            {
                if (list.get(i) instanceof String s && validInstanceId(s))
                {
                    ids.add(s);
                }
                else
                {
                    p.add("instanceIds[" + i + "]", "must be an instance id (1-64 of A-Z, a-z, 0-9, '_', '-')");
                }
            }
        }
        return new Parsed<>(ids, p);
    }

    private static Map<String, String> env(final Fields f, final String field, final boolean nonEmpty, final Problems p)
    {
        final Map<String, String> env = new LinkedHashMap<>();
        if (!f.has(field))
        {
            return env;
        }
        final Map<String, Object> m = f.optObject(field, p);
        if (m == null)
        {
            return env;
        }
        if (nonEmpty && m.isEmpty())
        {
            p.add(field, "must set at least one variable");
        }
        if (m.size() > MAX_ENV)
        {
            p.add(field, "at most " + MAX_ENV + " variables");
            return env;
        }
        m.forEach((k, v) ->
        {
            if (!ENV_KEY.matcher(k).matches())
            {
                p.add(field + "." + k, "is not a valid variable name ([A-Za-z_][A-Za-z0-9_]*)");
            }
            else if (!(v instanceof String s))
            {
                p.add(field + "." + k, "must be a string");
            }
            else if (s.length() > MAX_VALUE)
            {
                p.add(field + "." + k, "is longer than " + MAX_VALUE + " characters");
            }
            else
            {
                env.put(k, s);
            }
        });
        return env;
    }

    private static void unknown(final Fields f, final Set<String> known, final Problems p)
    {
        for (final String name : f.names())
        {
            if (!known.contains(name))
            {
                p.add(name, "is not a known field");
            }
        }
    }
}
