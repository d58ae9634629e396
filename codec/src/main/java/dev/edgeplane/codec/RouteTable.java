package dev.edgeplane.codec;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * An immutable, precompiled HTTP route table: method + path to handler without regular
 * expressions or reflection.
 *
 * <p>Patterns are {@code /}-separated segments of three kinds:
 * <ul>
 *   <li>a literal ({@code /health}), matched octet for octet, without decoding;</li>
 *   <li>{@code {name}}, capturing exactly one non-empty segment, percent-decoded as UTF-8;</li>
 *   <li>a final {@code *}, capturing the rest of the path, possibly empty ({@code /v1/*}
 *       matches {@code /v1/} and {@code /v1/a/b}, not {@code /v1}).</li>
 * </ul>
 * Matching is strict ({@code /health/} does not match {@code /health}) and ignores the query.
 * Where several patterns could match, the one with the more specific segment wins, segment by
 * segment from the left: literal, then {@code {param}}, then {@code *}. A path that matches
 * some pattern, but none registered for the request's method, is
 * {@link Outcome#METHOD_NOT_ALLOWED}, with the {@code Allow} value in
 * {@link RouteMatch#allow()}.
 *
 * <p>The patterns compile into a segment trie with open-addressed literal tables keyed by the
 * segment's characters, so a literal path is matched by hashing each segment in place:
 * nothing is allocated unless parameters, a rest or a query are captured.
 *
 * <p>Immutable and thread-safe once built; share one table across all event loops. The
 * {@link Builder} is not thread-safe.
 *
 * @param <H> handler type.
 */
public final class RouteTable<H>
{
    /** What {@link #match} found. */
    public enum Outcome
    {
        /** A route for the path and method: handler and parameters are in the match. */
        FOUND,
        /** No pattern matches the path (answer 404). */
        NOT_FOUND,
        /** Patterns match the path but not the method (answer 405 with {@link RouteMatch#allow()}). */
        METHOD_NOT_ALLOWED,
        /**
         * The request-target is not an origin-form path ({@code /...}), holds a control
         * character, or a captured segment has a malformed escape or is not UTF-8 (answer 400).
         */
        BAD_PATH
    }

    private final Node root;
    private final String[] methods;
    private final int maxParams;
    private final int size;

    private RouteTable(final Node root, final String[] methods, final int maxParams, final int size)
    {
        this.root = root;
        this.methods = methods;
        this.maxParams = maxParams;
        this.size = size;
    }

    /**
     * @param <H> handler type.
     * @return a new, empty builder.
     */
    public static <H> Builder<H> builder()
    {
        return new Builder<>();
    }

    /**
     * @return the number of routes (method + pattern pairs).
     */
    public int size()
    {
        return size;
    }

    /**
     * Match a request.
     *
     * @param method the request method, case-sensitive (RFC 9110 section 9.1).
     * @param uri    the request-target as received, one char per octet (as Netty's HTTP
     *               decoder builds it), possibly with a {@code ?query}.
     * @param out    where to put the result; overwritten.
     * @return the outcome; details are in {@code out}.
     */
    @SuppressWarnings("unchecked")
    public Outcome match(final String method, final CharSequence uri, final RouteMatch<H> out)
    {
        out.clear();
        final int length = uri == null ? 0 : uri.length();
        if (length == 0 || uri.charAt(0) != '/')
        {
            return Outcome.BAD_PATH;
        }
        int pathEnd = length;
        for (int i = 1; i < length; i++)
        {
            final char c = uri.charAt(i);
            if (c == '?')
            {
                pathEnd = i;
                break;
            }
            if (c <= ' ' || c == 0x7F || c > 0xFF)
            {
                return Outcome.BAD_PATH;
            }
        }

        final int methodId = methodId(method);
        out.ensureCapacity(maxParams);
        final Route route = search(root, uri, 1, pathEnd, 0, methodId, out);
        if (route == null)
        {
            final Terminal terminal = out.allowTerminal;
            if (terminal == null)
            {
                return Outcome.NOT_FOUND;
            }
            final long mask = out.allowMask;
            out.clear();
            out.pattern = terminal.pattern;
            out.allow = mask == terminal.mask ? terminal.allow : allowValue(mask);
            return Outcome.METHOD_NOT_ALLOWED;
        }

        final String[] names = route.paramNames;
        for (int i = 0; i < names.length; i++)
        {
            final String value = decodeSegment(uri, out.paramStarts[i], out.paramEnds[i]);
            if (value == null)
            {
                out.clear();
                return Outcome.BAD_PATH;
            }
            out.values[i] = value;
            out.paramCount = i + 1;
        }
        if (route.wildcard)
        {
            final int restStart = out.restStart;
            if (restStart == pathEnd)
            {
                out.rest = "";
            }
            else
            {
                if (needsDecoding(uri, restStart, pathEnd) && decodeSegment(uri, restStart, pathEnd) == null)
                {
                    out.clear();
                    return Outcome.BAD_PATH;
                }
                out.rest = uri.subSequence(restStart, pathEnd).toString();
            }
        }
        if (pathEnd < length)
        {
            out.rawQuery = uri.subSequence(pathEnd + 1, length).toString();
        }
        out.names = names;
        out.pattern = route.pattern;
        out.handler = (H)route.handler;
        return Outcome.FOUND;
    }

    /**
     * Depth-first search in precedence order; at most every trie node is visited once.
     *
     * @param pos start of the current segment (just after a '/').
     * @param k   number of parameters captured so far.
     */
    private static Route search(
        final Node node, final CharSequence uri, final int pos, final int pathEnd, final int k, final int methodId,
        final RouteMatch<?> out)
    {
        int end = pos;
        while (end < pathEnd && uri.charAt(end) != '/')
        {
            end++;
        }
        final boolean last = end == pathEnd;

        final Node literal = node.literal(uri, pos, end);
        if (literal != null)
        {
            final Route route = last ?
                accept(literal.end, methodId, out) : search(literal, uri, end + 1, pathEnd, k, methodId, out);
            if (route != null)
            {
                return route;
            }
        }

        final Node param = node.param;
        if (param != null && end > pos)
        {
            out.paramStarts[k] = pos;
            out.paramEnds[k] = end;
            final Route route = last ?
                accept(param.end, methodId, out) : search(param, uri, end + 1, pathEnd, k + 1, methodId, out);
            if (route != null)
            {
                return route;
            }
        }

        if (node.rest != null)
        {
            final Route route = accept(node.rest, methodId, out);
            if (route != null)
            {
                out.restStart = pos;
                return route;
            }
        }
        return null;
    }

    private static Route accept(final Terminal terminal, final int methodId, final RouteMatch<?> out)
    {
        if (terminal == null)
        {
            return null;
        }
        if (methodId >= 0)
        {
            final Route route = terminal.byMethod[methodId];
            if (route != null)
            {
                return route;
            }
        }
        if (out.allowTerminal == null)
        {
            out.allowTerminal = terminal;
        }
        out.allowMask |= terminal.mask;
        return null;
    }

    private int methodId(final String method)
    {
        if (method != null)
        {
            final String[] methods = this.methods;
            for (int i = 0; i < methods.length; i++)
            {
                if (methods[i].equals(method))
                {
                    return i;
                }
            }
        }
        return -1;
    }

    /**
     * The Allow value when several path shapes match the path: the union of their methods.
     * Method ids follow sorted order, so walking the bits yields a sorted list.
     */
    private String allowValue(final long mask)
    {
        return joinMethods(methods, mask);
    }

    private static String joinMethods(final String[] methods, final long mask)
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < methods.length; i++)
        {
            if ((mask & (1L << i)) != 0)
            {
                if (sb.length() > 0)
                {
                    sb.append(", ");
                }
                sb.append(methods[i]);
            }
        }
        return sb.toString();
    }

    private static boolean needsDecoding(final CharSequence uri, final int from, final int to)
    {
        for (int i = from; i < to; i++)
        {
            final char c = uri.charAt(i);
            if (c == '%' || c >= 0x80)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Percent-decode {@code uri[from, to)} (chars are octets) as UTF-8 (RFC 3986 section 2.1).
     * {@code +} is not a space in a path.
     *
     * @return the decoded text, or null if an escape is malformed or the octets are not UTF-8.
     */
    static String decodeSegment(final CharSequence uri, final int from, final int to)
    {
        if (!needsDecoding(uri, from, to))
        {
            return uri.subSequence(from, to).toString();
        }
        final byte[] octets = new byte[to - from];
        int n = 0;
        for (int i = from; i < to; i++)
        {
            final char c = uri.charAt(i);
            if (c == '%')
            {
                if (i + 2 >= to)
                {
                    return null;
                }
                final int hi = FormDecoder.hexValue(uri.charAt(i + 1));
                final int lo = FormDecoder.hexValue(uri.charAt(i + 2));
                if (hi < 0 || lo < 0)
                {
                    return null;
                }
                octets[n++] = (byte)((hi << 4) | lo);
                i += 2;
            }
            else
            {
                octets[n++] = (byte)c;
            }
        }
        if (Utf8.firstInvalid(octets, 0, n) >= 0)
        {
            return null;
        }
        return new String(octets, 0, n, StandardCharsets.UTF_8);
    }

    /** One registered method + pattern. */
    static final class Route
    {
        final String method;
        final String pattern;
        final Object handler;
        final String[] paramNames;
        final boolean wildcard;
        final String[] segments;

        Route(
            final String method, final String pattern, final Object handler, final String[] paramNames,
            final boolean wildcard, final String[] segments)
        {
            this.method = method;
            this.pattern = pattern;
            this.handler = handler;
            this.paramNames = paramNames;
            this.wildcard = wildcard;
            this.segments = segments;
        }
    }

    /** The routes of one path shape, indexed by method id. */
    static final class Terminal
    {
        final Route[] byMethod;
        final long mask;
        final String allow;
        final String pattern;

        Terminal(final Route[] byMethod, final long mask, final String allow, final String pattern)
        {
            this.byMethod = byMethod;
            this.mask = mask;
            this.allow = allow;
            this.pattern = pattern;
        }
    }

    /** A trie node: the segments seen so far. */
    static final class Node
    {
        private String[] literalKeys;
        private Node[] literalNodes;
        private int literalMask;
        Node param;
        Terminal end;
        Terminal rest;

        Node literal(final CharSequence uri, final int from, final int to)
        {
            final String[] keys = literalKeys;
            if (keys == null)
            {
                return null;
            }
            int h = 0;
            for (int i = from; i < to; i++)
            {
                h = 31 * h + uri.charAt(i);
            }
            final int length = to - from;
            int index = spread(h) & literalMask;
            while (true)
            {
                final String key = keys[index];
                if (key == null)
                {
                    return null;
                }
                if (key.length() == length && regionEquals(key, uri, from))
                {
                    return literalNodes[index];
                }
                index = (index + 1) & literalMask;
            }
        }

        void literals(final Map<String, Node> children)
        {
            if (children.isEmpty())
            {
                return;
            }
            int capacity = 2;
            while (capacity < children.size() * 2)
            {
                capacity <<= 1;
            }
            literalKeys = new String[capacity];
            literalNodes = new Node[capacity];
            literalMask = capacity - 1;
            for (final Map.Entry<String, Node> e : children.entrySet())
            {
                // String.hashCode is the same 31-polynomial computed in literal().
                int index = spread(e.getKey().hashCode()) & literalMask;
                while (literalKeys[index] != null)
                {
                    index = (index + 1) & literalMask;
                }
                literalKeys[index] = e.getKey();
                literalNodes[index] = e.getValue();
            }
        }

        private static int spread(final int h)
        {
            return h ^ (h >>> 16);
        }

        private static boolean regionEquals(final String key, final CharSequence uri, final int from)
        {
            final int length = key.length();
            for (int i = 0; i < length; i++)
            {
                if (key.charAt(i) != uri.charAt(from + i))
                {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * Collects routes and compiles them into a {@link RouteTable}. Not thread-safe.
     *
     * @param <H> handler type.
     */
    public static final class Builder<H>
    {
        private final List<Route> routes = new ArrayList<>();
        private final Set<String> shapes = new HashSet<>();

        private Builder()
        {
        }

        /**
         * Register a route.
         *
         * @param method  request method token, e.g. "GET" (case-sensitive).
         * @param pattern path pattern such as {@code /agent/confirm/{accountId}/{leaseId}} or
         *                {@code /api/v1/*}.
         * @param handler what {@link RouteMatch#handler()} returns for it.
         * @return this builder.
         * @throws IllegalArgumentException if the method or pattern is malformed, or the same
         *                                  method is already registered for the same path shape
         *                                  (patterns differing only in parameter names).
         */
        public Builder<H> add(final String method, final String pattern, final H handler)
        {
            if (handler == null)
            {
                throw new NullPointerException("handler");
            }
            checkMethod(method);
            if (pattern == null || pattern.isEmpty() || pattern.charAt(0) != '/')
            {
                throw new IllegalArgumentException("pattern must start with '/': " + pattern);
            }
            final List<String> segments = split(pattern);
            final List<String> paramNames = new ArrayList<>();
            final StringBuilder shape = new StringBuilder(method).append(' ');
            boolean wildcard = false;
            for (int i = 0; i < segments.size(); i++)
            {
                final String segment = segments.get(i);
                shape.append('/');
                if ("*".equals(segment))
                {
                    if (i != segments.size() - 1)
                    {
                        throw new IllegalArgumentException("'*' must be the last segment: " + pattern);
                    }
                    wildcard = true;
                    shape.append('*');
                }
                else if (segment.startsWith("{") && segment.endsWith("}") && segment.length() >= 2)
                {
                    final String name = segment.substring(1, segment.length() - 1);
                    checkParamName(name, pattern);
                    if (paramNames.contains(name))
                    {
                        throw new IllegalArgumentException("parameter '" + name + "' appears twice: " + pattern);
                    }
                    paramNames.add(name);
                    shape.append("{}");
                }
                else
                {
                    checkLiteral(segment, pattern);
                    shape.append(segment);
                }
            }
            if (!shapes.add(shape.toString()))
            {
                throw new IllegalArgumentException("duplicate route: " + method + " " + pattern);
            }
            routes.add(new Route(method, pattern, handler, paramNames.toArray(new String[0]), wildcard,
                segments.toArray(new String[0])));
            return this;
        }

        /**
         * @return the compiled, immutable table.
         * @throws IllegalArgumentException if more than 64 distinct methods are registered.
         */
        public RouteTable<H> build()
        {
            final TreeSet<String> sorted = new TreeSet<>();
            for (final Route route : routes)
            {
                sorted.add(route.method);
            }
            if (sorted.size() > 64)
            {
                throw new IllegalArgumentException("more than 64 distinct methods");
            }
            final String[] methods = sorted.toArray(new String[0]);

            final BuildNode root = new BuildNode();
            int maxParams = 0;
            for (final Route route : routes)
            {
                maxParams = Math.max(maxParams, route.paramNames.length);
                BuildNode node = root;
                final String[] segments = route.segments;
                for (int i = 0; i < segments.length; i++)
                {
                    final String segment = segments[i];
                    if ("*".equals(segment))
                    {
                        node.rest.add(route);
                        node = null;
                        break;
                    }
                    if (segment.startsWith("{"))
                    {
                        if (node.param == null)
                        {
                            node.param = new BuildNode();
                        }
                        node = node.param;
                    }
                    else
                    {
                        node = node.literals.computeIfAbsent(segment, s -> new BuildNode());
                    }
                }
                if (node != null)
                {
                    node.end.add(route);
                }
            }
            return new RouteTable<>(root.compile(methods), methods, maxParams, routes.size());
        }

        private static List<String> split(final String pattern)
        {
            final List<String> segments = new ArrayList<>();
            int start = 1;
            for (int i = 1; i <= pattern.length(); i++)
            {
                if (i == pattern.length() || pattern.charAt(i) == '/')
                {
                    segments.add(pattern.substring(start, i));
                    start = i + 1;
                }
            }
            return segments;
        }

        private static void checkMethod(final String method)
        {
            if (method == null || method.isEmpty())
            {
                throw new IllegalArgumentException("method must be a non-empty token");
            }
            for (int i = 0; i < method.length(); i++)
            {
                if (!isTchar(method.charAt(i)))
                {
                    throw new IllegalArgumentException("method is not a token: " + method);
                }
            }
        }

        /** RFC 9110 section 5.6.2 tchar. */
        private static boolean isTchar(final char c)
        {
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
            {
                return true;
            }
            return "!#$&'*+-.^_`|~".indexOf(c) >= 0 && c != 0;
        }

        private static void checkParamName(final String name, final String pattern)
        {
            if (name.isEmpty())
            {
                throw new IllegalArgumentException("empty parameter name: " + pattern);
            }
            for (int i = 0; i < name.length(); i++)
            {
                final char c = name.charAt(i);
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
                {
                    throw new IllegalArgumentException("bad parameter name '" + name + "': " + pattern);
                }
            }
        }

        /**
         * Literals match the raw request-target, so they may hold only printable ASCII that
         * needs no escaping and none of the pattern syntax.
         */
        private static void checkLiteral(final String segment, final String pattern)
        {
            for (int i = 0; i < segment.length(); i++)
            {
                final char c = segment.charAt(i);
                if (c <= ' ' || c >= 0x7F || "{}*%?#".indexOf(c) >= 0)
                {
                    throw new IllegalArgumentException("bad character '" + c + "' in literal segment: " + pattern);
                }
            }
        }
    }

    /** Mutable trie node used while building. */
    private static final class BuildNode
    {
        final Map<String, BuildNode> literals = new LinkedHashMap<>();
        BuildNode param;
        final List<Route> end = new ArrayList<>();
        final List<Route> rest = new ArrayList<>();

        Node compile(final String[] methods)
        {
            final Node node = new Node();
            final Map<String, Node> children = new LinkedHashMap<>();
            for (final Map.Entry<String, BuildNode> e : literals.entrySet())
            {
                children.put(e.getKey(), e.getValue().compile(methods));
            }
            node.literals(children);
            node.param = param == null ? null : param.compile(methods);
            node.end = terminal(end, methods);
            node.rest = terminal(rest, methods);
            return node;
        }

        private static Terminal terminal(final List<Route> routes, final String[] methods)
        {
            if (routes.isEmpty())
            {
                return null;
            }
            final Route[] byMethod = new Route[methods.length];
            long mask = 0;
            for (final Route route : routes)
            {
                int id = 0;
                while (!methods[id].equals(route.method))
                {
                    id++;
                }
                byMethod[id] = route;
                mask |= 1L << id;
            }
            return new Terminal(byMethod, mask, joinMethods(methods, mask), routes.get(0).pattern);
        }
    }
}
