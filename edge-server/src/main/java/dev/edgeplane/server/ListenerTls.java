package dev.edgeplane.server;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Objects;

import javax.net.ssl.SSLException;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS side of the listeners that speak it: one server context built from a PEM certificate chain
 * and an unencrypted PKCS#8 PEM key that must belong to it (TLS 1.3 and 1.2 only), rebuilt when the files change ({@link #reloadIfChanged},
 * polled) or on demand (SIGHUP). New connections get the current context; open ones keep theirs.
 * A reload that fails (a half-written file, a key that does not match) keeps the previous context and
 * says why.
 *
 * <p>Thread-safe: the context is published through a volatile field.
 */
final class ListenerTls
{
    private static final Logger LOG = LoggerFactory.getLogger(ListenerTls.class);
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    private static final String PKCS8_BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String PKCS8_END = "-----END PRIVATE KEY-----";

    private final Path certFile;
    private final Path keyFile;
    private volatile SslContext context;
    private String version;

    private ListenerTls(final Path certFile, final Path keyFile)
    {
        this.certFile = certFile;
        this.keyFile = keyFile;
    }

    /** @throws IllegalStateException when the files cannot be read or do not make a server context. */
    static ListenerTls load(final Path certFile, final Path keyFile)
    {
        final ListenerTls tls = new ListenerTls(certFile, keyFile);
        try
        {
            tls.version = tls.fileVersion();
            tls.context = tls.build();
        }
        catch (final IOException | IllegalArgumentException e)
        {
            throw new IllegalStateException("TLS: cannot use " + certFile + " and " + keyFile + ": " + e.getMessage(), e);
        }
        return tls;
    }

    SslHandler newHandler(final ByteBufAllocator alloc)
    {
        return context.newHandler(alloc);
    }

    /** Rebuilds the context when either file's size or modification time changed. */
    void reloadIfChanged()
    {
        try
        {
            if (!Objects.equals(version, fileVersion()))
            {
                reload();
            }
        }
        catch (final IOException e)
        {
            LOG.warn("TLS: cannot read {} or {}: {} (keeping the current certificate)", certFile, keyFile, e.toString());
        }
    }

    /** Rebuilds the context now; on failure the current one stays. */
    synchronized void reload()
    {
        try
        {
            final String seen = fileVersion();
            context = build();
            version = seen;
            LOG.info("TLS: certificate reloaded from {}", certFile);
        }
        catch (final IOException | IllegalArgumentException e)
        {
            LOG.warn("TLS: reload of {} failed: {} (keeping the current certificate)", certFile, e.getMessage());
        }
    }

    /**
     * Builds the context from the files, after checking that the key belongs to the certificate: a
     * renewal caught between writing the two files must not serve a pair that fails every handshake.
     */
    private SslContext build() throws IOException
    {
        final X509Certificate[] chain;
        try (InputStream in = Files.newInputStream(certFile))
        {
            chain = CertificateFactory.getInstance("X.509").generateCertificates(in).toArray(new X509Certificate[0]);
        }
        catch (final CertificateException e)
        {
            throw new SSLException("unreadable certificate: " + e.getMessage(), e);
        }
        if (chain.length == 0)
        {
            throw new SSLException(certFile + " holds no certificate");
        }
        final PrivateKey key = privateKey(chain[0].getPublicKey().getAlgorithm());
        if (!belongTogether(key, chain[0].getPublicKey()))
        {
            throw new SSLException("the private key does not belong to the certificate");
        }
        return SslContextBuilder.forServer(key, chain).protocols(PROTOCOLS).build();
    }

    /** Reads an unencrypted PKCS#8 PEM key ({@code BEGIN PRIVATE KEY}). */
    private PrivateKey privateKey(final String algorithm) throws IOException
    {
        final String pem = Files.readString(keyFile, StandardCharsets.US_ASCII);
        final int begin = pem.indexOf(PKCS8_BEGIN);
        final int end = pem.indexOf(PKCS8_END);
        if (begin < 0 || end < begin)
        {
            throw new SSLException(keyFile + " is not an unencrypted PKCS#8 PEM key (-----BEGIN PRIVATE KEY-----)");
        }
        try
        {
            final byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + PKCS8_BEGIN.length(), end));
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
        }
        catch (final GeneralSecurityException | IllegalArgumentException e)
        {
            throw new SSLException("unreadable private key: " + e.getMessage(), e);
        }
    }

    private static boolean belongTogether(final PrivateKey key, final PublicKey publicKey) throws SSLException
    {
        final String algorithm = "EC".equals(publicKey.getAlgorithm()) ? "SHA256withECDSA"
            : "RSA".equals(publicKey.getAlgorithm()) ? "SHA256withRSA" : null;
        if (algorithm == null)
        {
            return true; // other key types: left to the handshake
        }
        try
        {
            final byte[] probe = "edgeplane key check".getBytes(StandardCharsets.US_ASCII);
            final Signature sign = Signature.getInstance(algorithm);
            sign.initSign(key);
            sign.update(probe);
            final byte[] signature = sign.sign();
            final Signature verify = Signature.getInstance(algorithm);
            verify.initVerify(publicKey);
            verify.update(probe);
            return verify.verify(signature);
        }
        catch (final GeneralSecurityException e)
        {
            throw new SSLException("cannot check the key against the certificate: " + e.getMessage(), e);
        }
    }

    private String fileVersion() throws IOException
    {
        final FileTime certTime = Files.getLastModifiedTime(certFile);
        final FileTime keyTime = Files.getLastModifiedTime(keyFile);
        return certTime.toMillis() + ":" + Files.size(certFile) + ":" + keyTime.toMillis() + ":" + Files.size(keyFile);
    }
}
