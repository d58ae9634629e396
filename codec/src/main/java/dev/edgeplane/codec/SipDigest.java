package dev.edgeplane.codec;

import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Objects;

/**
 * SIP digest authentication arithmetic (RFC 2617 §3.2.2, RFC 7616 §3.4.1), as used by {@code POST /auth}:
 * <pre>
 * HA1      = H(username ":" realm ":" password)
 * HA2      = H(method ":" uri)
 * response = H(HA1 ":" nonce ":" HA2)                                  (no qop, RFC 2069 compatibility)
 * response = H(HA1 ":" nonce ":" nc ":" cnonce ":" qop ":" HA2)        (qop=auth)
 * </pre>
 * where H is {@link DigestAlgorithm#MD5} or {@link DigestAlgorithm#SHA_256} rendered as lowercase hex. Text is hashed
 * as UTF-8 (RFC 7616 §4: SIP is UTF-8 throughout; for ASCII input this equals ISO-8859-1). HA1 values are fed to the
 * outer hash in lowercase, so an HA1 stored in uppercase hex still verifies. {@code qop=auth-int} needs the message
 * body, which the SIP layer does not send us, and is not supported.
 *
 * <p>{@link #verify} compares the expected and the client's response in constant time
 * ({@link MessageDigest#isEqual}) and allocates nothing once its thread has warmed up.
 *
 * <p>Thread-safe: every thread gets its own {@link MessageDigest} instances and scratch buffers (a
 * {@link ThreadLocal}, created on the thread's first call), so no call pays for
 * {@link MessageDigest#getInstance(String)}. Bytes of a password are wiped from the scratch buffer after hashing.
 */
public final class SipDigest
{
    /** The only {@code qop} value other than none that {@link #response} and {@link #verify} accept. */
    public static final String QOP_AUTH = "auth";

    private static final byte[] HEX_DIGITS = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private SipDigest()
    {
    }

    /**
     * HA1 = H(username:realm:password), what a device's configuration stores instead of its password.
     *
     * @param alg      hash algorithm.
     * @param username digest username.
     * @param realm    realm (the account's SIP domain).
     * @param password the password; never logged, wiped from scratch buffers after use.
     * @return lowercase hex, {@link DigestAlgorithm#hexLength()} characters.
     * @throws NullPointerException if an argument is null.
     */
    public static String ha1(
        final DigestAlgorithm alg, final String username, final String realm, final String password)
    {
        Objects.requireNonNull(alg, "alg");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(realm, "realm");
        Objects.requireNonNull(password, "password");

        final Scratch scratch = SCRATCH.get();
        final MessageDigest md = scratch.digest(alg);
        scratch.update(md, username);
        md.update((byte)':');
        scratch.update(md, realm);
        md.update((byte)':');
        scratch.updateSecret(md, password);
        final byte[] hex = scratch.expected[alg.ordinal()];
        scratch.finishHex(md, hex);
        return new String(hex, StandardCharsets.ISO_8859_1);
    }

    /**
     * The response a client holding {@code ha1Hex} sends.
     *
     * @param alg    hash algorithm.
     * @param ha1Hex the HA1 in hex (either case).
     * @param method request method, e.g. {@code REGISTER}.
     * @param uri    the digest {@code uri} parameter as the client sent it (not necessarily the Request-URI).
     * @param nonce  server nonce.
     * @param nc     nonce count (8 hex digits); required when {@code qop} is {@code auth}, ignored otherwise.
     * @param cnonce client nonce; required when {@code qop} is {@code auth}, ignored otherwise.
     * @param qop    null or empty for none, or {@code auth}.
     * @return lowercase hex, {@link DigestAlgorithm#hexLength()} characters.
     * @throws NullPointerException     if a required argument is null.
     * @throws IllegalArgumentException if {@code qop} is not supported (see {@link #supportsQop}).
     */
    public static String response(
        final DigestAlgorithm alg,
        final String ha1Hex,
        final String method,
        final String uri,
        final String nonce,
        final String nc,
        final String cnonce,
        final String qop)
    {
        Objects.requireNonNull(alg, "alg");
        Objects.requireNonNull(ha1Hex, "ha1Hex");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(nonce, "nonce");
        if (!supportsQop(qop))
        {
            throw new IllegalArgumentException("unsupported qop (only none or auth)");
        }
        if (hasQop(qop))
        {
            Objects.requireNonNull(nc, "nc");
            Objects.requireNonNull(cnonce, "cnonce");
        }

        final Scratch scratch = SCRATCH.get();
        final byte[] hex = scratch.expected[alg.ordinal()];
        computeResponse(scratch, alg, ha1Hex, method, uri, nonce, nc, cnonce, qop, hex);
        return new String(hex, StandardCharsets.ISO_8859_1);
    }

    /**
     * @param qop a {@code qop} parameter value.
     * @return true for null, empty and {@code auth} (ASCII case ignored): the values {@link #response} handles.
     */
    public static boolean supportsQop(final String qop)
    {
        return !hasQop(qop) || isAuth(qop);
    }

    /**
     * Check a client's digest response. Never throws; allocates nothing after the calling thread's first use.
     *
     * @param alg            hash algorithm.
     * @param ha1Hex         the stored HA1 in hex (either case).
     * @param method         request method.
     * @param uri            digest {@code uri} parameter.
     * @param nonce          server nonce.
     * @param nc             nonce count; required when {@code qop} is {@code auth}.
     * @param cnonce         client nonce; required when {@code qop} is {@code auth}.
     * @param qop            null or empty for none, or {@code auth}.
     * @param clientResponse the client's {@code response} parameter, hex in either case.
     * @return true only if the response matches; false for a mismatch, an unsupported {@code qop}, a response of the
     *         wrong length or a missing required input.
     */
    public static boolean verify(
        final DigestAlgorithm alg,
        final String ha1Hex,
        final String method,
        final String uri,
        final String nonce,
        final String nc,
        final String cnonce,
        final String qop,
        final String clientResponse)
    {
        if (null == alg || null == ha1Hex || null == method || null == uri || null == nonce || null == clientResponse)
        {
            return false;
        }
        if (!supportsQop(qop) || (hasQop(qop) && (null == nc || null == cnonce)))
        {
            return false;
        }
        final int length = alg.hexLength();
        if (clientResponse.length() != length)
        {
            // The length of a valid response is public; only its content must not leak through timing.
            return false;
        }

        final Scratch scratch = SCRATCH.get();
        final byte[] expected = scratch.expected[alg.ordinal()];
        computeResponse(scratch, alg, ha1Hex, method, uri, nonce, nc, cnonce, qop, expected);

        final byte[] client = scratch.client[alg.ordinal()];
        for (int i = 0; i < length; i++)
        {
            char c = clientResponse.charAt(i);
            if (c >= 'A' && c <= 'Z')
            {
                c = (char)(c + ('a' - 'A'));
            }
            // A non-ASCII char must not alias a hex digit through truncation: 0 never matches.
            client[i] = c < 0x80 ? (byte)c : 0;
        }
        return MessageDigest.isEqual(expected, client);
    }

    /**
     * @param s              text to check.
     * @param expectedLength required length.
     * @return true if {@code s} is exactly {@code expectedLength} hex digits (either case).
     */
    public static boolean isHex(final String s, final int expectedLength)
    {
        if (null == s || s.length() != expectedLength)
        {
            return false;
        }
        for (int i = 0; i < expectedLength; i++)
        {
            final char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            {
                return false;
            }
        }
        return true;
    }

    private static boolean hasQop(final String qop)
    {
        return null != qop && !qop.isEmpty();
    }

    private static boolean isAuth(final String qop)
    {
        return qop.length() == 4 &&
            (qop.charAt(0) | 0x20) == 'a' &&
            (qop.charAt(1) | 0x20) == 'u' &&
            (qop.charAt(2) | 0x20) == 't' &&
            (qop.charAt(3) | 0x20) == 'h';
    }

    /**
     * Writes the response hex into {@code out} (exactly {@code alg.hexLength()} bytes).
     */
    private static void computeResponse(
        final Scratch scratch,
        final DigestAlgorithm alg,
        final String ha1Hex,
        final String method,
        final String uri,
        final String nonce,
        final String nc,
        final String cnonce,
        final String qop,
        final byte[] out)
    {
        final MessageDigest md = scratch.digest(alg);
        scratch.update(md, method);
        md.update((byte)':');
        scratch.update(md, uri);
        final byte[] ha2 = scratch.ha2[alg.ordinal()];
        scratch.finishHex(md, ha2);

        scratch.updateLowerAscii(md, ha1Hex);
        md.update((byte)':');
        scratch.update(md, nonce);
        md.update((byte)':');
        if (hasQop(qop))
        {
            scratch.update(md, nc);
            md.update((byte)':');
            scratch.update(md, cnonce);
            md.update((byte)':');
            scratch.update(md, qop);
            md.update((byte)':');
        }
        md.update(ha2, 0, ha2.length);
        scratch.finishHex(md, out);
    }

    /**
     * One thread's digests and buffers. Not thread-safe: reached only through {@link #SCRATCH}.
     */
    private static final class Scratch
    {
        private static final int TEXT_CAPACITY = 256;

        final MessageDigest[] digests;
        final byte[][] expected;
        final byte[][] client;
        final byte[][] ha2;
        final byte[] raw = new byte[32];
        final byte[] text = new byte[TEXT_CAPACITY];

        Scratch()
        {
            final DigestAlgorithm[] algorithms = DigestAlgorithm.values();
            digests = new MessageDigest[algorithms.length];
            expected = new byte[algorithms.length][];
            client = new byte[algorithms.length][];
            ha2 = new byte[algorithms.length][];
            for (final DigestAlgorithm alg : algorithms)
            {
                try
                {
                    digests[alg.ordinal()] = MessageDigest.getInstance(alg.jcaName());
                }
                catch (final NoSuchAlgorithmException ex)
                {
                    // Every Java platform must provide MD5 and SHA-256 (MessageDigest's Javadoc).
                    throw new IllegalStateException(alg.jcaName() + " is not available", ex);
                }
                expected[alg.ordinal()] = new byte[alg.hexLength()];
                client[alg.ordinal()] = new byte[alg.hexLength()];
                ha2[alg.ordinal()] = new byte[alg.hexLength()];
            }
        }

        MessageDigest digest(final DigestAlgorithm alg)
        {
            final MessageDigest md = digests[alg.ordinal()];
            md.reset();
            return md;
        }

        void update(final MessageDigest md, final String s)
        {
            final int n = copyAscii(s, false);
            if (n < 0)
            {
                md.update(s.getBytes(StandardCharsets.UTF_8));
            }
            else
            {
                md.update(text, 0, n);
            }
        }

        void updateLowerAscii(final MessageDigest md, final String s)
        {
            final int n = copyAscii(s, true);
            if (n < 0)
            {
                final byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
                for (int i = 0; i < bytes.length; i++)
                {
                    if (bytes[i] >= 'A' && bytes[i] <= 'Z')
                    {
                        bytes[i] += 'a' - 'A';
                    }
                }
                md.update(bytes);
            }
            else
            {
                md.update(text, 0, n);
            }
        }

        void updateSecret(final MessageDigest md, final String s)
        {
            final int n = copyAscii(s, false);
            if (n < 0)
            {
                final byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
                md.update(bytes);
                Arrays.fill(bytes, (byte)0);
            }
            else
            {
                md.update(text, 0, n);
            }
            Arrays.fill(text, 0, Math.min(s.length(), text.length), (byte)0);
        }

        /**
         * @return the number of bytes copied into {@link #text}, or -1 if {@code s} is not short ASCII.
         */
        private int copyAscii(final String s, final boolean lower)
        {
            final int n = s.length();
            if (n > text.length)
            {
                return -1;
            }
            for (int i = 0; i < n; i++)
            {
                char c = s.charAt(i);
                if (c >= 0x80)
                {
                    return -1;
                }
                if (lower && c >= 'A' && c <= 'Z')
                {
                    c = (char)(c + ('a' - 'A'));
                }
                text[i] = (byte)c;
            }
            return n;
        }

        void finishHex(final MessageDigest md, final byte[] hex)
        {
            final int length;
            try
            {
                length = md.digest(raw, 0, raw.length);
            }
            catch (final DigestException ex)
            {
                throw new IllegalStateException("digest does not fit its buffer", ex);
            }
            for (int i = 0; i < length; i++)
            {
                hex[2 * i] = HEX_DIGITS[(raw[i] >> 4) & 0xF];
                hex[2 * i + 1] = HEX_DIGITS[raw[i] & 0xF];
            }
        }
    }
}
