package dev.edgeplane.server;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads a server's side of a WebSocket from a plain socket, for tests of clients that never read
 * (a slow browser, a stalled watcher): skips the 101 head, then counts frames up to the close frame.
 */
public final class RawWebSocket
{
    /** What the server sent: data frames before the close (the close frame included), and its code. */
    public record Closed(int frames, int code)
    {
    }

    private RawWebSocket()
    {
    }

    /** Reads the 101 head, then every frame (RFC 6455 §5.2, unmasked from a server) until a close frame. */
    public static Closed readUntilClose(final InputStream stream) throws IOException
    {
        final DataInputStream in = new DataInputStream(stream);
        int matched = 0;
        while (matched < 4)
        {
            final int c = in.read();
            if (c < 0)
            {
                throw new IOException("the connection ended before the end of the 101 head");
            }
            matched = (c == '\r' && (matched == 0 || matched == 2)) || (c == '\n' && (matched == 1 || matched == 3)) ? matched + 1 : 0;
        }
        int frames = 0;
        while (true)
        {
            final int b0 = in.readUnsignedByte();
            final int b1 = in.readUnsignedByte();
            long len = b1 & 0x7F;
            if (len == 126)
            {
                len = in.readUnsignedShort();
            }
            else if (len == 127)
            {
                len = in.readLong();
            }
            final byte[] payload = new byte[(int)len];
            in.readFully(payload);
            frames++;
            if ((b0 & 0x0F) == 0x8)
            {
                return new Closed(frames, ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF));
            }
        }
    }
}
