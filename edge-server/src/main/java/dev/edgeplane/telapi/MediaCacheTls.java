package dev.edgeplane.telapi;

import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The trust the TTS media cache client uses (seed 000, "TTS media cache"): the CA certificates decoded
 * in memory from {@code TTS_MEDIA_CACHE_CA_BUNDLE} (raw PEM, PEM with {@code \n} escapes, or base64 of
 * PEM / DER), and only those. With no bundle the JDK's default trust store is used. A bundle that is set
 * but yields no certificate fails closed: no request is made and {@link #problem()} says why.
 *
 * <p>{@link #diag()} is the sanitized {@code tlsDiag} of the start-up line: mode, decoded length, whether
 * it looks like PEM, certificate count, the problem — never a byte of the bundle or of any token.
 *
 * <p>Immutable and thread-safe.
 */
public final class MediaCacheTls
{
    public static final String STARTUP_LINE = "TTS media cache TLS bootstrap (sanitized)";

    /** No bundle: the JDK's default CAs. */
    public static final String MODE_SYSTEM = "system-default-trust";
    /** Bundle given as PEM text. */
    public static final String MODE_RAW = "custom-ca-raw-pem";
    /** Bundle given as base64 (of PEM or DER). */
    public static final String MODE_BASE64 = "custom-ca-base64";
    /** Bundle set but unusable: every request fails closed. */
    public static final String MODE_INVALID = "invalid-ca-bundle";

    private final String mode;
    private final int decodedLength;
    private final boolean looksLikePem;
    private final List<X509Certificate> certificates;
    private final SSLContext context;
    private final String problem;

    private MediaCacheTls(final String mode, final int decodedLength, final boolean looksLikePem,
        final List<X509Certificate> certificates, final SSLContext context, final String problem)
    {
        this.mode = mode;
        this.decodedLength = decodedLength;
        this.looksLikePem = looksLikePem;
        this.certificates = certificates;
        this.context = context;
        this.problem = problem;
    }

    /** Decodes a configured bundle (null or blank = none). */
    public static MediaCacheTls fromBundle(final String configured)
    {
        if (configured == null || configured.isBlank())
        {
            try
            {
                return new MediaCacheTls(MODE_SYSTEM, 0, false, List.of(), SSLContext.getDefault(),
                    "TTS_MEDIA_CACHE_CA_BUNDLE is empty: only the JDK's default CAs are trusted, so a media host with a "
                        + "private or self-signed certificate will fail the handshake");
            }
            catch (final GeneralSecurityException e)
            {
                throw new IllegalStateException("the JDK has no default TLS context", e);
            }
        }
        final String text = configured.trim();
        final boolean raw = text.contains("-----BEGIN");
        byte[] decoded;
        if (raw)
        {
            decoded = text.replace("\\n", "\n").getBytes(StandardCharsets.US_ASCII);
        }
        else
        {
            try
            {
                decoded = Base64.getMimeDecoder().decode(text.replace("-", "+").replace("_", "/"));
            }
            catch (final IllegalArgumentException e)
            {
                decoded = new byte[0];
            }
        }
        final String mode = raw ? MODE_RAW : MODE_BASE64;
        final boolean pem = new String(decoded, StandardCharsets.ISO_8859_1).contains("-----BEGIN CERTIFICATE-----");
        if (decoded.length == 0)
        {
            return invalid(mode, 0, false, "TTS_MEDIA_CACHE_CA_BUNDLE is neither PEM nor valid base64");
        }
        final List<X509Certificate> certs = new ArrayList<>();
        try
        {
            final Collection<? extends Certificate> parsed =
                CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(decoded));
            for (final Certificate c : parsed)
            {
                certs.add((X509Certificate)c);
            }
        }
        catch (final CertificateException e)
        {
            return invalid(mode, decoded.length, pem, "TTS_MEDIA_CACHE_CA_BUNDLE decodes to " + decoded.length + " bytes but "
                + (pem ? "its PEM certificates do not parse: " : "no X.509 certificate (PEM or DER) was found: ") + e.getMessage());
        }
        if (certs.isEmpty())
        {
            return invalid(mode, decoded.length, pem, "TTS_MEDIA_CACHE_CA_BUNDLE holds no certificate");
        }
        try
        {
            final KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < certs.size(); i++)
            {
                store.setCertificateEntry("media-ca-" + i, certs.get(i));
            }
            final TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            final SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return new MediaCacheTls(mode, decoded.length, pem, List.copyOf(certs), ctx, null);
        }
        catch (final GeneralSecurityException | java.io.IOException e)
        {
            throw new IllegalStateException("cannot build a trust store from the media cache CA bundle", e);
        }
    }

    private static MediaCacheTls invalid(final String mode, final int length, final boolean pem, final String problem)
    {
        return new MediaCacheTls(MODE_INVALID + "(" + mode + ")", length, pem, List.of(), null, problem);
    }

    /** @return the TLS context trusting only the bundle's CAs, or null when the bundle is unusable. */
    public SSLContext context()
    {
        return context;
    }

    public String mode()
    {
        return mode;
    }

    public int decodedLength()
    {
        return decodedLength;
    }

    public boolean looksLikePem()
    {
        return looksLikePem;
    }

    public List<X509Certificate> certificates()
    {
        return certificates;
    }

    /** @return why requests will fail or may fail, or null. */
    public String problem()
    {
        return problem;
    }

    /** @return the sanitized {@code tlsDiag} fields, in the seed's order first. */
    public Map<String, Object> diag()
    {
        final Map<String, Object> d = new LinkedHashMap<>();
        d.put("mediaCacheTlsMode", mode);
        d.put("decodedCaBundleByteLength", decodedLength);
        d.put("decodedCaLooksLikePem", looksLikePem);
        d.put("caCertificates", certificates.size());
        final List<String> subjects = new ArrayList<>();
        for (final X509Certificate c : certificates)
        {
            subjects.add(c.getSubjectX500Principal().getName());
        }
        d.put("caSubjects", subjects);
        if (problem != null)
        {
            d.put("problem", problem);
        }
        return d;
    }

    /**
     * Diagnostics only: the certificate chain a host presents, read with a handshake that trusts
     * anything and sends no data, so a failure can be explained ("self-signed", "issued by …").
     *
     * @return one line per certificate: subject, issuer, and whether it is self-signed.
     */
    public static List<String> presentedChain(final String host, final int port, final int timeoutMillis) throws java.io.IOException
    {
        try
        {
            final SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new X509TrustManager()
            {
                @Override
                public void checkClientTrusted(final X509Certificate[] chain, final String authType)
                {
                }

                @Override
                public void checkServerTrusted(final X509Certificate[] chain, final String authType)
                {
                }

                @Override
                public X509Certificate[] getAcceptedIssuers()
                {
                    return new X509Certificate[0];
                }
            }}, null);
            try (SSLSocket socket = (SSLSocket)ctx.getSocketFactory().createSocket())
            {
                socket.connect(new InetSocketAddress(host, port), timeoutMillis);
                socket.setSoTimeout(timeoutMillis);
                socket.startHandshake();
                final List<String> lines = new ArrayList<>();
                for (final Certificate c : socket.getSession().getPeerCertificates())
                {
                    final X509Certificate x = (X509Certificate)c;
                    final boolean self = x.getSubjectX500Principal().equals(x.getIssuerX500Principal());
                    lines.add("subject=" + x.getSubjectX500Principal().getName() + " issuer=" + x.getIssuerX500Principal().getName()
                        + (self ? " (self-signed)" : ""));
                }
                return lines;
            }
        }
        catch (final GeneralSecurityException e)
        {
            throw new IllegalStateException(e);
        }
    }
}
