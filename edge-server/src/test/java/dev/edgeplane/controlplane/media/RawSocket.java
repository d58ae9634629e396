package dev.edgeplane.controlplane.media;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A plain-socket HTTP/1.1 client for tests that must control the bytes on the wire (undecoded
 * paths, half-sent bodies, a client that vanishes mid-upload).
 */
final class RawSocket implements AutoCloseable
{
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawSocket(final int port) throws IOException
    {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(15_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    RawSocket send(final String text) throws IOException
    {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    RawSocket send(final byte[] bytes) throws IOException
    {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** Sends one request with a complete body and reads the answer. */
    static Response exchange(final int port, final String method, final String target, final byte[] body) throws IOException
    {
        try (RawSocket s = new RawSocket(port))
        {
            s.send(method + " " + target + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
                + (body == null ? "" : "Content-Length: " + body.length + "\r\n") + "\r\n");
            if (body != null)
            {
                s.send(body);
            }
            return s.read();
        }
    }

    /** Reads one response (Content-Length framed). */
    Response read() throws IOException
    {
        final ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4)
        {
            final int b = in.read();
            if (b < 0)
            {
                throw new IOException("connection closed after " + head.size() + " bytes: " + head);
            }
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        final String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        final Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++)
        {
            final int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        final byte[] body = in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0")));
        return new Response(Integer.parseInt(lines[0].split(" ", 3)[1]), headers, body);
    }

    @Override
    public void close() throws IOException
    {
        socket.close();
    }

    record Response(int status, Map<String, String> headers, byte[] body)
    {
        String header(final String name)
        {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        String text()
        {
            return new String(body, StandardCharsets.UTF_8);
        }
    }
}
