package dev.edgeplane.tools;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.edgeplane.codec.DigestAlgorithm;
import dev.edgeplane.codec.SipDigest;

/**
 * What the load generator's requests draw from, pre-encoded once from a configuration document ({@link CallDirectory})
 * so that building a request copies bytes instead of formatting strings: DIDs, external numbers, the form fragments of
 * every enabled device (route, register, digest) and the flows.
 *
 * <p>Every device gets its own source address {@code 10.x.y.z}, as phones behind a SIP edge have; {@code /auth} keeps
 * its failure counters per source address, so one shared address would funnel every digest onto one shard.
 *
 * <p>Immutable and thread-safe after construction.
 */
final class LoadTargets
{
    /** The digest method and nonce count every generated {@code /auth} request uses. */
    static final String METHOD = "REGISTER";
    /** The client nonce of every generated digest; nonces themselves are unique per request. */
    static final String CNONCE = "edgeplaneload";
    /** How many distinct external numbers inbound and outbound calls draw from. */
    static final int EXTERNAL_NUMBERS = 1024;

    /**
     * A device's pre-encoded form fragments.
     *
     * @param routeFields    {@code &from=…&fromDomain=…&authUser=…&sourceIp=…} for an outbound {@code /route}.
     * @param registerBody   the whole {@code /presence/event} register body (expires 600).
     * @param authFields     every {@code /auth} field but {@code nonce} and {@code response}, ending with
     *                       {@code &nonce=}.
     * @param digestPrefix   {@code HA1:} — what the response hash starts with.
     * @param digestSuffix   {@code :nc:cnonce:auth:HA2} — what it ends with, after the nonce.
     * @param algorithm      the device's digest algorithm.
     */
    record Device(byte[] routeFields, byte[] registerBody, byte[] authFields, byte[] digestPrefix, byte[] digestSuffix,
                  DigestAlgorithm algorithm)
    {
    }

    private final Device[] devices;
    private final byte[][] dids;
    private final byte[][] outboundNumbers;
    private final byte[][] flowFields;

    private LoadTargets(final Device[] devices, final byte[][] dids, final byte[][] outboundNumbers,
        final byte[][] flowFields)
    {
        this.devices = devices;
        this.dids = dids;
        this.outboundNumbers = outboundNumbers;
        this.flowFields = flowFields;
    }

    /**
     * @param directory the configuration's devices, DIDs and flows.
     * @return the pre-encoded targets.
     */
    static LoadTargets of(final CallDirectory directory)
    {
        final List<CallDirectory.Device> list = directory.devices();
        final Device[] devices = new Device[list.size()];
        for (int d = 0; d < devices.length; d++)
        {
            devices[d] = device(list.get(d), sourceAddress(d + 1));
        }
        final byte[][] dids = new byte[directory.dids().size()][];
        for (int i = 0; i < dids.length; i++)
        {
            dids[i] = RequestTemplate.formEncoded(directory.dids().get(i).number());
        }
        // External numbers that are not DIDs: US numbers for the +1 trunk, UK ones for the +44 trunk.
        final List<byte[]> numbers = new ArrayList<>(EXTERNAL_NUMBERS);
        for (int n = 0; numbers.size() < EXTERNAL_NUMBERS && n < 10_000; n++)
        {
            final String number = (n % 4 == 3 ? "+44207946" : "+1202555") + String.format(Locale.ROOT, "%04d", (n * 7919) % 10_000);
            if (!directory.isDid(number))
            {
                numbers.add(RequestTemplate.formEncoded(number));
            }
        }
        final byte[][] flows = new byte[directory.flows().size()][];
        for (int f = 0; f < flows.length; f++)
        {
            final CallDirectory.Flow flow = directory.flows().get(f);
            flows[f] = concat("&accountId=", flow.accountId(), "&flowId=", flow.flowId());
        }
        return new LoadTargets(devices, dids, numbers.toArray(new byte[0][]), flows);
    }

    private static Device device(final CallDirectory.Device device, final String address)
    {
        final byte[] routeFields = concat("&from=", device.username(), "&fromDomain=", device.domain(),
            "&authUser=", device.username(), "&sourceIp=", address);
        final byte[] registerBody = concat("type=register&domain=", device.domain(), "&user=", device.username(),
            "&contact=", "sip:" + device.username() + "@" + address + ":5060", "&expires=", "600",
            "&sourceIp=", address, "&userAgent=", "edgeplane-load");
        final String uri = "sip:" + device.domain();
        final byte[] authFields = concat("method=", METHOD, "&realm=", device.domain(), "&username=", device.username(),
            "&uri=", uri, "&algorithm=", device.algorithm().wireName(), "&qop=", SipDigest.QOP_AUTH,
            "&cnonce=", CNONCE, "&nc=", DigestCredentials.FIRST_NONCE_COUNT, "&sourceIp=", address, "&nonce=", "");
        final String ha1 = device.password() != null
            ? SipDigest.ha1(device.algorithm(), device.username(), device.domain(), device.password())
            : device.ha1().toLowerCase(Locale.ROOT);
        // HA2 = H(method:uri) with qop=auth (RFC 2617 §3.2.2.3); the same for every request of this device.
        final String ha2 = hex(device.algorithm(), (METHOD + ":" + uri).getBytes(StandardCharsets.UTF_8));
        final byte[] prefix = RequestTemplate.ascii(ha1 + ":");
        final byte[] suffix = RequestTemplate.ascii(":" + DigestCredentials.FIRST_NONCE_COUNT + ":" + CNONCE + ":"
            + SipDigest.QOP_AUTH + ":" + ha2);
        return new Device(routeFields, registerBody, authFields, prefix, suffix, device.algorithm());
    }

    /**
     * @param n device number, from 1.
     * @return the device's own source address in 10.0.0.0/8.
     */
    static String sourceAddress(final int n)
    {
        return "10." + ((n >> 16) & 255) + "." + ((n >> 8) & 255) + "." + (n & 255);
    }

    /** Alternating field names and values: names verbatim, values form-encoded. */
    private static byte[] concat(final String... namesAndValues)
    {
        final StringBuilder sb = new StringBuilder(128);
        for (int i = 0; i < namesAndValues.length; i += 2)
        {
            sb.append(namesAndValues[i]);
            sb.append(new String(RequestTemplate.formEncoded(namesAndValues[i + 1]), StandardCharsets.US_ASCII));
        }
        return RequestTemplate.ascii(sb.toString());
    }

    private static String hex(final DigestAlgorithm algorithm, final byte[] input)
    {
        final byte[] digest = DigestEngine.newDigest(algorithm).digest(input);
        final StringBuilder sb = new StringBuilder(digest.length * 2);
        for (final byte b : digest)
        {
            sb.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return sb.toString();
    }

    /**
     * @return the enabled devices.
     */
    Device[] devices()
    {
        return devices;
    }

    /**
     * @return the DIDs, form-encoded.
     */
    byte[][] dids()
    {
        return dids;
    }

    /**
     * @return external numbers that are no DID, form-encoded.
     */
    byte[][] outboundNumbers()
    {
        return outboundNumbers;
    }

    /**
     * @return per flow {@code &accountId=…&flowId=…}.
     */
    byte[][] flowFields()
    {
        return flowFields;
    }
}
