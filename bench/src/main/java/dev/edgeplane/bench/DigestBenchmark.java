package dev.edgeplane.bench;

import dev.edgeplane.codec.DigestAlgorithm;
import dev.edgeplane.codec.SipDigest;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/**
 * {@code POST /auth}'s arithmetic: {@link SipDigest#verify} of a correct {@code qop=auth} response for a
 * {@code REGISTER}, once with MD5 (RFC 2617) and once with SHA-256 (RFC 7616). Each verify hashes HA2, then the
 * response, and compares in constant time; HA1 is the stored value, as in the device configuration.
 *
 * <p>Mode: average time per operation in nanoseconds; one thread. Run with {@code -prof gc} to see bytes
 * allocated per operation ({@code gc.alloc.rate.norm}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class DigestBenchmark
{
    private static final String USER = "1001";
    private static final String REALM = "acme.sip.io";
    private static final String PASSWORD = "s3cret-1001";
    private static final String METHOD = "REGISTER";
    private static final String URI = "sip:acme.sip.io";
    private static final String NONCE = "6bd8c2e7a1f04b2c9e3d5f7a8b0c1d2e";
    private static final String NC = "00000001";
    private static final String CNONCE = "0a4f113b";

    private String md5Ha1;
    private String md5Response;
    private String sha256Ha1;
    private String sha256Response;

    @Setup
    public void setUp()
    {
        md5Ha1 = SipDigest.ha1(DigestAlgorithm.MD5, USER, REALM, PASSWORD);
        md5Response = SipDigest.response(DigestAlgorithm.MD5, md5Ha1, METHOD, URI, NONCE, NC, CNONCE, SipDigest.QOP_AUTH);
        sha256Ha1 = SipDigest.ha1(DigestAlgorithm.SHA_256, USER, REALM, PASSWORD);
        sha256Response = SipDigest.response(
            DigestAlgorithm.SHA_256, sha256Ha1, METHOD, URI, NONCE, NC, CNONCE, SipDigest.QOP_AUTH);
        if (!verifyMd5() || !verifySha256())
        {
            throw new IllegalStateException("precomputed digest responses do not verify");
        }
    }

    @Benchmark
    public boolean verifyMd5()
    {
        return SipDigest.verify(
            DigestAlgorithm.MD5, md5Ha1, METHOD, URI, NONCE, NC, CNONCE, SipDigest.QOP_AUTH, md5Response);
    }

    @Benchmark
    public boolean verifySha256()
    {
        return SipDigest.verify(
            DigestAlgorithm.SHA_256, sha256Ha1, METHOD, URI, NONCE, NC, CNONCE, SipDigest.QOP_AUTH, sha256Response);
    }
}
