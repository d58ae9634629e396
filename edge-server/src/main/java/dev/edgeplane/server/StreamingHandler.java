package dev.edgeplane.server;

/**
 * A route whose body is streamed to a {@link BodySink} rather than buffered (large uploads). The body
 * limit still applies: a declared length over it is refused with 413 before anything is read, and a
 * chunked body that crosses it is aborted.
 *
 * <p>Threading: called on the event loop when the request head has been routed.
 */
@FunctionalInterface
public interface StreamingHandler
{
    /**
     * @return where the body goes, or null after answering the request already (refused: gate,
     *         bad key…); the body is then not read and the connection is closed.
     */
    BodySink open(HttpExchange exchange) throws Exception;
}
