package dev.edgeplane.tools;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.edgeplane.codec.DecodeException;
import dev.edgeplane.codec.DigestAlgorithm;
import dev.edgeplane.codec.E164;
import dev.edgeplane.codec.Json;

/**
 * The devices and phone numbers {@code sip-sim} registers and dials, read from a configuration document in the shape
 * of {@code POST /admin/config} (docs/SPEC-control-plane.md, "Configuration"): per account its {@code id},
 * {@code domain}, {@code devices} ({@code username} with {@code password}, {@code ha1_md5} or {@code ha1_sha256};
 * {@code enabled:false} ones are skipped, as the server would refuse them), {@code dids} ({@code number}) and
 * {@code flows} ({@code id}).
 *
 * <p>Immutable and thread-safe once built.
 */
final class CallDirectory
{
    /**
     * A device the simulator can authenticate as.
     *
     * @param accountId the owning account's id.
     * @param domain    the account's SIP domain, which is also the digest realm.
     * @param username  the digest username.
     * @param password  the password, or null when only an HA1 is known.
     * @param ha1       the HA1 for {@code algorithm} when no password is given, else null.
     * @param algorithm the digest algorithm to authenticate with: MD5 unless only {@code ha1_sha256} is given.
     */
    record Device(String accountId, String domain, String username, String password, String ha1,
                  DigestAlgorithm algorithm)
    {
    }

    /**
     * A DID of an account.
     *
     * @param accountId the owning account's id.
     * @param number    the number as written in the document.
     */
    record Did(String accountId, String number)
    {
    }

    /**
     * A call flow of an account, as {@code POST /flow} start names it.
     *
     * @param accountId the owning account's id.
     * @param flowId    the flow's id.
     */
    record Flow(String accountId, String flowId)
    {
    }

    private final List<Device> devices;
    private final List<Did> dids;
    private final List<Flow> flows;
    private final Set<String> didDigits;

    private CallDirectory(final List<Device> devices, final List<Did> dids, final List<Flow> flows)
    {
        this.devices = Collections.unmodifiableList(devices);
        this.dids = Collections.unmodifiableList(dids);
        this.flows = Collections.unmodifiableList(flows);
        final Set<String> digits = new HashSet<>();
        for (final Did did : dids)
        {
            final String d = E164.digits(did.number());
            if (d != null)
            {
                digits.add(d);
            }
        }
        this.didDigits = Collections.unmodifiableSet(digits);
    }

    /**
     * Read a configuration document.
     *
     * @param json the document, UTF-8.
     * @return the enabled devices and the DIDs of every account.
     * @throws IllegalArgumentException if the document is not JSON or lacks the fields the simulator needs; the
     *                                  message names the JSON path.
     */
    static CallDirectory parse(final byte[] json)
    {
        final Object root;
        try
        {
            root = Json.parse(json, 0, json.length);
        }
        catch (final DecodeException ex)
        {
            throw new IllegalArgumentException(ex.getMessage(), ex);
        }
        final Map<?, ?> document = object(root, "$");
        final List<?> accounts = list(document.get("accounts"), "$.accounts");
        final List<Device> devices = new ArrayList<>();
        final List<Did> dids = new ArrayList<>();
        final List<Flow> flows = new ArrayList<>();
        for (int a = 0; a < accounts.size(); a++)
        {
            final String path = "$.accounts[" + a + "]";
            final Map<?, ?> account = object(accounts.get(a), path);
            final String accountId = string(account.get("id"), path + ".id");
            final String domain = string(account.get("domain"), path + ".domain");
            final Object deviceList = account.get("devices");
            if (deviceList != null)
            {
                final List<?> entries = list(deviceList, path + ".devices");
                for (int d = 0; d < entries.size(); d++)
                {
                    final Device device = device(entries.get(d), path + ".devices[" + d + "]", accountId, domain);
                    if (device != null)
                    {
                        devices.add(device);
                    }
                }
            }
            final Object didList = account.get("dids");
            if (didList != null)
            {
                final List<?> entries = list(didList, path + ".dids");
                for (int d = 0; d < entries.size(); d++)
                {
                    final String didPath = path + ".dids[" + d + "]";
                    final Map<?, ?> did = object(entries.get(d), didPath);
                    dids.add(new Did(accountId, string(did.get("number"), didPath + ".number")));
                }
            }
            final Object flowList = account.get("flows");
            if (flowList != null)
            {
                final List<?> entries = list(flowList, path + ".flows");
                for (int f = 0; f < entries.size(); f++)
                {
                    final String flowPath = path + ".flows[" + f + "]";
                    final Map<?, ?> flow = object(entries.get(f), flowPath);
                    flows.add(new Flow(accountId, string(flow.get("id"), flowPath + ".id")));
                }
            }
        }
        return new CallDirectory(devices, dids, flows);
    }

    private static Device device(final Object value, final String path, final String accountId, final String domain)
    {
        final Map<?, ?> device = object(value, path);
        if (Boolean.FALSE.equals(device.get("enabled")))
        {
            return null;
        }
        final String username = string(device.get("username"), path + ".username");
        final Object password = device.get("password");
        if (password instanceof String)
        {
            return new Device(accountId, domain, username, (String)password, null, DigestAlgorithm.MD5);
        }
        final Object md5 = device.get("ha1_md5");
        if (md5 instanceof String)
        {
            return new Device(accountId, domain, username, null, (String)md5, DigestAlgorithm.MD5);
        }
        final Object sha256 = device.get("ha1_sha256");
        if (sha256 instanceof String)
        {
            return new Device(accountId, domain, username, null, (String)sha256, DigestAlgorithm.SHA_256);
        }
        throw new IllegalArgumentException(path + ": a device needs password, ha1_md5 or ha1_sha256");
    }

    private static Map<?, ?> object(final Object value, final String path)
    {
        if (value instanceof Map)
        {
            return (Map<?, ?>)value;
        }
        throw new IllegalArgumentException(path + ": expected an object");
    }

    private static List<?> list(final Object value, final String path)
    {
        if (value instanceof List)
        {
            return (List<?>)value;
        }
        throw new IllegalArgumentException(path + ": expected an array");
    }

    private static String string(final Object value, final String path)
    {
        if (value instanceof String && !((String)value).isEmpty())
        {
            return (String)value;
        }
        throw new IllegalArgumentException(path + ": expected a non-empty string");
    }

    /**
     * @return the enabled devices, in document order.
     */
    List<Device> devices()
    {
        return devices;
    }

    /**
     * @return every DID, in document order.
     */
    List<Did> dids()
    {
        return dids;
    }

    /**
     * @return every flow, in document order.
     */
    List<Flow> flows()
    {
        return flows;
    }

    /**
     * @param number a phone number in any form {@link E164#digits} reads.
     * @return true if it is one of the document's DIDs (compared as E.164 digits).
     */
    boolean isDid(final String number)
    {
        final String digits = E164.digits(number);
        return digits != null && didDigits.contains(digits);
    }
}
