package dev.edgeplane.tools;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import dev.edgeplane.codec.DigestAlgorithm;
import io.netty.buffer.ByteBuf;

/**
 * Computes SIP digest responses for the load generator without allocating: {@code H(HA1:nonce:nc:cnonce:auth:HA2)}
 * (RFC 2617 §3.2.2.1 with {@code qop=auth}; RFC 7616 for SHA-256), where everything but the nonce was pre-encoded per
 * device ({@link LoadTargets.Device}).
 *
 * <p>Not thread-safe: one instance per event loop.
 */
final class DigestEngine
{
    private final MessageDigest md5 = newDigest(DigestAlgorithm.MD5);
    private final MessageDigest sha256 = newDigest(DigestAlgorithm.SHA_256);
    private final byte[] out = new byte[32];

    /**
     * @param algorithm a digest algorithm.
     * @return a fresh JCA digest for it.
     */
    static MessageDigest newDigest(final DigestAlgorithm algorithm)
    {
        try
        {
            return MessageDigest.getInstance(algorithm == DigestAlgorithm.MD5 ? "MD5" : "SHA-256");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("every JRE ships MD5 and SHA-256", ex);
        }
    }

    /**
     * Write the lowercase hex response of {@code device} for {@code nonce}.
     *
     * @param buf      where to write.
     * @param device   the device (HA1 prefix, HA2 suffix, algorithm).
     * @param nonce    the nonce bytes.
     * @param nonceLen how many of them.
     */
    void writeResponse(final ByteBuf buf, final LoadTargets.Device device, final byte[] nonce, final int nonceLen)
    {
        final MessageDigest md = device.algorithm() == DigestAlgorithm.MD5 ? md5 : sha256;
        md.update(device.digestPrefix());
        md.update(nonce, 0, nonceLen);
        md.update(device.digestSuffix());
        final int length;
        try
        {
            length = md.digest(out, 0, out.length);
        }
        catch (final DigestException ex)
        {
            throw new IllegalStateException(ex);
        }
        RequestTemplate.writeHex(buf, out, 0, length);
    }
}
