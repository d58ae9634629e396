package dev.edgeplane.server;

import dev.edgeplane.codec.RouteTable;

/**
 * What every connection of one listening port shares: its surface, compiled routes and the runtime.
 *
 * @param kind     the surface served on this port.
 * @param routes   compiled route table (immutable, shared by all event loops).
 * @param runtime  shared server state.
 * @param settings server settings.
 */
record Listener(SurfaceKind kind, RouteTable<Route> routes, EdgeRuntime runtime, EdgeSettings settings)
{
}
