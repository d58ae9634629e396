package dev.edgeplane.server;

import io.netty.buffer.ByteBuf;

/**
 * Receives a streamed request body chunk by chunk instead of having it aggregated (media uploads):
 * see {@link StreamingHandler}.
 *
 * <p>Threading: every method runs on the connection's event loop, in order, at most one of
 * {@link #onEnd} / {@link #onAbort} per request. Work done here must be quick (a write to a file in
 * the page cache is the intended use).
 */
public interface BodySink
{
    /** A chunk of the body; read what you need, the buffer is released after this returns. */
    void onData(ByteBuf data) throws Exception;

    /** The body is complete; the handler must now answer through the exchange (from any thread). */
    void onEnd(HttpExchange exchange) throws Exception;

    /**
     * The request will not complete (client gone, body over the limit, timeout): discard what was
     * received. The server answers the client itself if it still can.
     */
    void onAbort();
}
