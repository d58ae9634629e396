package dev.edgeplane.telapi;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

import dev.edgeplane.codec.Json;

/** The web-user token vectors made by next-auth and jose ({@code telapi/token-vectors/vectors.json}). */
final class TokenVectors
{
    static final Map<String, Object> ALL = load();

    private TokenVectors()
    {
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> load()
    {
        try (InputStream in = TokenVectors.class.getResourceAsStream("/telapi/token-vectors/vectors.json"))
        {
            final byte[] bytes = in.readAllBytes();
            return (Map<String, Object>)Json.parse(bytes, 0, bytes.length);
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
    }

    static String secret()
    {
        return (String)ALL.get("secret");
    }

    static String otherSecret()
    {
        return (String)ALL.get("otherSecret");
    }

    @SuppressWarnings("unchecked")
    static String nextAuth(final String name)
    {
        return ((Map<String, String>)ALL.get("nextAuth")).get(name);
    }

    @SuppressWarnings("unchecked")
    static String hs256(final String name)
    {
        return ((Map<String, String>)ALL.get("hs256")).get(name);
    }
}
