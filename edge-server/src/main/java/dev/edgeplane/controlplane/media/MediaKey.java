package dev.edgeplane.controlplane.media;

import java.util.Locale;

import io.netty.util.AsciiString;

/**
 * Media object keys: how they are taken from a request-target, what a valid one looks like, and the
 * content type its extension implies.
 *
 * <p>A key is 1..{@value #MAX_LENGTH} characters of {@code [A-Za-z0-9._/-]}, split by {@code /} into
 * segments that are non-empty, at most {@value #MAX_SEGMENT} characters (a file name on the local
 * store) and neither {@code .} nor {@code ..}; it neither starts nor ends with {@code /}. Validation
 * happens after percent-decoding, so {@code %2e%2e/x} is refused like {@code ../x}, and a key can
 * never name a path outside the store (docs/SPEC-control-plane.md, "Media and TTS": no {@code ..}, no
 * absolute paths). The character set also leaves {@code ~} free for the store's temporary files.
 *
 * <p>Stateless and thread-safe.
 */
public final class MediaKey
{
    public static final int MAX_LENGTH = 256;
    /** Longest segment: NAME_MAX of common Linux file systems. */
    public static final int MAX_SEGMENT = 255;
    /** The path prefix the media routes are mounted under. */
    public static final String ROUTE_PREFIX = "/media/";

    private static final AsciiString WAV = AsciiString.cached("audio/wav");
    private static final AsciiString MPEG = AsciiString.cached("audio/mpeg");
    private static final AsciiString OGG = AsciiString.cached("audio/ogg");
    private static final AsciiString OPUS = AsciiString.cached("audio/opus");
    private static final AsciiString JSON = AsciiString.cached("application/json");
    private static final AsciiString TEXT = AsciiString.cached("text/plain; charset=utf-8");
    private static final AsciiString OCTETS = AsciiString.cached("application/octet-stream");

    private MediaKey()
    {
    }

    /**
     * Takes the key out of a request-target such as {@code /media/prompts/en/male/menu.wav?x=1}:
     * everything after {@link #ROUTE_PREFIX} up to the query, percent-decoded ({@code %2F} is a
     * {@code /}, {@code +} stays a {@code +}).
     *
     * @return the decoded key (not yet validated), or null when an escape is malformed.
     */
    public static String fromRequestTarget(final String uri)
    {
        if (uri == null || !uri.startsWith(ROUTE_PREFIX))
        {
            return null;
        }
        final int q = uri.indexOf('?');
        final int end = q < 0 ? uri.length() : q;
        final StringBuilder key = new StringBuilder(end - ROUTE_PREFIX.length());
        for (int i = ROUTE_PREFIX.length(); i < end; i++)
        {
            final char c = uri.charAt(i);
            if (c != '%')
            {
                key.append(c);
                continue;
            }
            if (i + 2 >= end)
            {
                return null;
            }
            final int hi = Character.digit(uri.charAt(i + 1), 16);
            final int lo = Character.digit(uri.charAt(i + 2), 16);
            if (hi < 0 || lo < 0)
            {
                return null;
            }
            // A decoded octet >= 0x80 is kept as one char: it can only fail validation below.
            key.append((char)(hi << 4 | lo));
            i += 2;
        }
        return key.toString();
    }

    /** @return null when {@code key} is valid, else why it is not (for the 400 answer). */
    public static String problem(final String key)
    {
        if (key == null || key.isEmpty())
        {
            return "the key is empty";
        }
        if (key.length() > MAX_LENGTH)
        {
            return "the key is longer than " + MAX_LENGTH + " characters";
        }
        for (int i = 0; i < key.length(); i++)
        {
            if (!allowed(key.charAt(i)))
            {
                return "the key may hold only A-Z a-z 0-9 . _ / - (found a character outside that set at " + i + ")";
            }
        }
        if (key.charAt(0) == '/')
        {
            return "the key must not start with '/'";
        }
        if (key.charAt(key.length() - 1) == '/')
        {
            return "the key must not end with '/'";
        }
        int start = 0;
        while (start <= key.length())
        {
            int end = key.indexOf('/', start);
            if (end < 0)
            {
                end = key.length();
            }
            final int n = end - start;
            if (n == 0)
            {
                return "the key must not contain an empty segment ('//')";
            }
            if (n > MAX_SEGMENT)
            {
                return "a key segment is longer than " + MAX_SEGMENT + " characters";
            }
            if (key.charAt(start) == '.' && (n == 1 || n == 2 && key.charAt(start + 1) == '.'))
            {
                return "the key must not contain a '.' or '..' segment";
            }
            start = end + 1;
        }
        return null;
    }

    private static boolean allowed(final char c)
    {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '/'
            || c == '-';
    }

    /** @return the content type implied by the key's extension (case-insensitive); octet-stream otherwise. */
    public static AsciiString contentType(final String key)
    {
        final int slash = key.lastIndexOf('/');
        final int dot = key.lastIndexOf('.');
        if (dot <= slash + 1 || dot == key.length() - 1)
        {
            return OCTETS; // no extension, or a name like ".wav" that is all extension
        }
        switch (key.substring(dot + 1).toLowerCase(Locale.ROOT))
        {
            case "wav":
                return WAV;
            case "mp3":
                return MPEG;
            case "ogg":
                return OGG;
            case "opus":
                return OPUS;
            case "json":
                return JSON;
            case "txt":
                return TEXT;
            default:
                return OCTETS;
        }
    }
}
