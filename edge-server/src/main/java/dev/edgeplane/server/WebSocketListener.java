package dev.edgeplane.server;

/**
 * What a route that upgrades to WebSocket does with the session.
 *
 * <p>Threading: every callback runs on the connection's event loop.
 */
public interface WebSocketListener
{
    /** The handshake completed; the session can send. */
    void onOpen(WebSocketSession session);

    /** A text message from the client. */
    default void onText(final WebSocketSession session, final String text)
    {
    }

    /** The session ended (either side closed, or it was dropped as too slow). */
    void onClose(WebSocketSession session);
}
