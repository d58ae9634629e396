package dev.edgeplane.services;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Reading the JSON trees {@link dev.edgeplane.codec.Json#parse} produces (maps, lists, strings, numbers) without
 * casts at every call site. Every accessor answers null (or an empty list) when the shape differs.
 *
 * <p>Stateless and thread-safe.
 */
final class Trees
{
    private Trees()
    {
    }

    static Object at(final Object tree, final String... path)
    {
        Object cur = tree;
        for (final String key : path)
        {
            if (!(cur instanceof Map<?, ?> m))
            {
                return null;
            }
            cur = m.get(key);
        }
        return cur;
    }

    static String str(final Object tree, final String... path)
    {
        return at(tree, path) instanceof String s ? s : null;
    }

    static List<?> list(final Object tree, final String... path)
    {
        return at(tree, path) instanceof List<?> l ? l : List.of();
    }

    /** @return the {@code node}s of a GraphQL connection ({@code {edges:[{node:…}]}}). */
    static List<Object> nodes(final Object connection)
    {
        final List<Object> out = new java.util.ArrayList<>();
        for (final Object edge : list(connection, "edges"))
        {
            final Object node = at(edge, "node");
            if (node != null)
            {
                out.add(node);
            }
        }
        return out;
    }

    static String encode(final String s)
    {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
