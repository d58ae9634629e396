package dev.edgeplane.server;

/**
 * Handles one routed request.
 *
 * <p>Threading: called on the connection's event loop. It must not block. It either answers at once
 * through the exchange, or hands work to a shard and answers later from the shard thread
 * ({@link HttpExchange} methods are safe from any thread). A thrown exception becomes a 500 error body.
 */
@FunctionalInterface
public interface HttpHandler
{
    void handle(HttpExchange exchange) throws Exception;
}
