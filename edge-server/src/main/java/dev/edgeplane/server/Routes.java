package dev.edgeplane.server;

import java.util.ArrayList;
import java.util.List;

import dev.edgeplane.codec.RouteTable;

/**
 * Collects one listener's routes and compiles them into a {@link RouteTable}.
 *
 * <p>Not thread-safe: used once at start-up.
 */
public final class Routes
{
    private final String surface;
    private final int defaultMaxBodyBytes;
    private final HttpMetrics metrics;
    private final RouteTable.Builder<Route> table = RouteTable.builder();
    private final List<Route> registered = new ArrayList<>();

    Routes(final String surface, final int defaultMaxBodyBytes, final HttpMetrics metrics)
    {
        this.surface = surface;
        this.defaultMaxBodyBytes = defaultMaxBodyBytes;
        this.metrics = metrics;
    }

    /** @return the surface label these routes belong to. */
    public String surface()
    {
        return surface;
    }

    public Routes get(final String pattern, final HttpHandler handler)
    {
        return add("GET", pattern, handler, 0);
    }

    public Routes post(final String pattern, final HttpHandler handler)
    {
        return add("POST", pattern, handler, defaultMaxBodyBytes);
    }

    public Routes delete(final String pattern, final HttpHandler handler)
    {
        return add("DELETE", pattern, handler, 0);
    }

    /**
     * Registers a route.
     *
     * @param maxBodyBytes the largest body accepted; anything larger is refused with 413 unread.
     */
    public Routes add(final String method, final String pattern, final HttpHandler handler, final int maxBodyBytes)
    {
        final RouteMetrics routeMetrics = metrics.route(surface, method, pattern);
        final Route route = new Route(surface, method, pattern, handler, maxBodyBytes, routeMetrics, null);
        table.add(method, pattern, route);
        registered.add(route);
        return this;
    }

    /**
     * Registers a route whose body is streamed to a {@link BodySink} (uploads), never buffered.
     *
     * @param maxBodyBytes the largest body accepted; a larger declared length is refused with 413 unread.
     */
    public Routes stream(final String method, final String pattern, final StreamingHandler handler, final long maxBodyBytes)
    {
        final RouteMetrics routeMetrics = metrics.route(surface, method, pattern);
        final Route route = new Route(surface, method, pattern, null,
            (int)Math.min(Integer.MAX_VALUE, maxBodyBytes), routeMetrics, handler);
        table.add(method, pattern, route);
        registered.add(route);
        return this;
    }

    /** @return every route registered so far, in registration order (the OpenAPI check reads them). */
    List<Route> registered()
    {
        return List.copyOf(registered);
    }

    RouteTable<Route> build()
    {
        return table.build();
    }
}
