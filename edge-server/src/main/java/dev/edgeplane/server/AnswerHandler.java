package dev.edgeplane.server;

/**
 * A handler that returns its answer as a value ({@link Answer}) instead of sending it: the server sends
 * it (after its journal position is durable), and null means the request was handed to a shard or the
 * blocking pool, which answers later. {@link #http} adapts it to a route.
 *
 * <p>Threading: as {@link HttpHandler}: on the connection's event loop, never blocking.
 */
@FunctionalInterface
public interface AnswerHandler
{
    Answer handle(HttpExchange exchange) throws Exception;

    /** @return the route handler that sends what {@code handler} returns. */
    static HttpHandler http(final AnswerHandler handler)
    {
        return ex ->
        {
            final Answer answer = handler.handle(ex);
            if (answer != null)
            {
                ex.send(answer);
            }
        };
    }
}
