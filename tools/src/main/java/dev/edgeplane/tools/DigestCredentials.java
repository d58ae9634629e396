package dev.edgeplane.tools;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.edgeplane.codec.SipDigest;

/**
 * The digest a SIP user agent would send for a device, as the {@code POST /auth} form fields Kamailio forwards
 * (docs/SPEC-control-plane.md, "POST /auth"): {@code method, realm, username, uri, nonce, response, algorithm, qop,
 * cnonce, nc, sourceIp}. The realm is the account's domain and {@code qop=auth} (RFC 2617 §3.2.2), computed with
 * {@link SipDigest}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param method   request method, e.g. {@code REGISTER}.
 * @param realm    digest realm.
 * @param username digest username.
 * @param uri      digest {@code uri} parameter.
 * @param nonce    the (simulated) server nonce.
 * @param cnonce   client nonce.
 * @param nc       nonce count, 8 hex digits.
 * @param response the computed response, lowercase hex.
 * @param algorithm the {@code algorithm} parameter as on the wire.
 */
record DigestCredentials(String method, String realm, String username, String uri, String nonce, String cnonce,
                         String nc, String response, String algorithm)
{
    /** First use of a nonce (RFC 2617 §3.2.2: eight hex digits). */
    static final String FIRST_NONCE_COUNT = "00000001";

    /**
     * Compute the credentials of {@code device} for one request.
     *
     * @param device the device (its password, or its HA1 for the device's algorithm).
     * @param method request method.
     * @param uri    digest {@code uri}, e.g. {@code sip:acme.sip.io}.
     * @param nonce  server nonce; the SIP layer owns nonces, so any fresh value is valid for {@code /auth}.
     * @param cnonce client nonce.
     * @return the credentials, {@code nc} {@value #FIRST_NONCE_COUNT}.
     */
    static DigestCredentials of(
        final CallDirectory.Device device, final String method, final String uri, final String nonce,
        final String cnonce)
    {
        final String ha1 = device.password() != null
            ? SipDigest.ha1(device.algorithm(), device.username(), device.domain(), device.password())
            : device.ha1();
        final String response = SipDigest.response(
            device.algorithm(), ha1, method, uri, nonce, FIRST_NONCE_COUNT, cnonce, SipDigest.QOP_AUTH);
        return new DigestCredentials(method, device.domain(), device.username(), uri, nonce, cnonce,
            FIRST_NONCE_COUNT, response, device.algorithm().wireName());
    }

    /**
     * @param sourceIp the {@code sourceIp} to report.
     * @return the {@code /auth} form fields, in the order Kamailio's config sends them.
     */
    Map<String, String> authForm(final String sourceIp)
    {
        final Map<String, String> form = new LinkedHashMap<>();
        form.put("method", method);
        form.put("realm", realm);
        form.put("username", username);
        form.put("uri", uri);
        form.put("nonce", nonce);
        form.put("response", response);
        form.put("algorithm", algorithm);
        form.put("qop", SipDigest.QOP_AUTH);
        form.put("cnonce", cnonce);
        form.put("nc", nc);
        form.put("sourceIp", sourceIp);
        return form;
    }
}
