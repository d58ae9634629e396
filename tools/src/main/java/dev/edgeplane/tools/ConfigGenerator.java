package dev.edgeplane.tools;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds a large, valid configuration document in the {@code POST /admin/config} shape (docs/SPEC-control-plane.md,
 * "Configuration") for benchmarks: {@code accounts} accounts {@code a1.bench.example} … each with devices
 * {@code 1001} … (password {@code pw-<i>-<j>}), unique DIDs {@code +1<10 digits>} of which the first half go to a
 * two-node flow (gather, then hangup) and the rest to the devices, one {@code +1} and one {@code +44} trunk.
 *
 * <p>Deterministic: the same options give the same document byte for byte. Ids are a prefix and 26 lowercase Crockford
 * base32 characters shaped like a ULID: a 48-bit time part (a fixed epoch plus the account number, so an account's ids
 * sort together) and 80 bits drawn from the seed, the kind of object and its position.
 *
 * <p>Stateless and thread-safe.
 */
final class ConfigGenerator
{
    /** The first DID is {@code +1} followed by this number; DIDs then count up (clear of {@code +1202555xxxx}). */
    static final long FIRST_DID = 3_100_000_000L;

    /** 2025-01-01T00:00:00Z: the time part of every generated id (plus the account number). */
    private static final long EPOCH_MILLIS = 1_735_689_600_000L;
    private static final char[] CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();

    private static final int KIND_ACCOUNT = 1;
    private static final int KIND_DEVICE = 2;
    private static final int KIND_FLOW = 3;
    private static final int KIND_TRUNK = 4;

    /**
     * What to generate.
     *
     * @param accounts          number of accounts, 1 or more.
     * @param devicesPerAccount devices per account, 0 or more.
     * @param didsPerAccount    DIDs per account, 0 or more.
     * @param seed              seed of the ids.
     * @param maxChannels       every account's {@code max_channels} (0 to 1,000,000).
     */
    record Options(int accounts, int devicesPerAccount, int didsPerAccount, long seed, int maxChannels)
    {
        /**
         * @throws IllegalArgumentException if a value is out of range; the message names the option.
         */
        Options
        {
            if (accounts < 1)
            {
                throw new IllegalArgumentException("--accounts must be at least 1");
            }
            if (devicesPerAccount < 0 || devicesPerAccount > 1_000_000)
            {
                throw new IllegalArgumentException("--devices-per-account must be between 0 and 1000000");
            }
            if (didsPerAccount < 0)
            {
                throw new IllegalArgumentException("--dids-per-account must not be negative");
            }
            if ((long)accounts * didsPerAccount > 9_999_999_999L - FIRST_DID)
            {
                throw new IllegalArgumentException("too many DIDs: --accounts x --dids-per-account must stay below "
                    + (9_999_999_999L - FIRST_DID));
            }
            if (maxChannels < 0 || maxChannels > 1_000_000)
            {
                throw new IllegalArgumentException("--max-channels must be between 0 and 1000000");
            }
        }
    }

    private ConfigGenerator()
    {
    }

    /**
     * @param options what to generate.
     * @return the document as a tree of maps and lists, ready for {@link dev.edgeplane.codec.Json#write}.
     */
    static Map<String, Object> generate(final Options options)
    {
        final Set<String> ids = new HashSet<>();
        final List<Object> accounts = new ArrayList<>(options.accounts());
        for (int i = 1; i <= options.accounts(); i++)
        {
            accounts.add(account(options, i, ids));
        }
        final Map<String, Object> document = new LinkedHashMap<>();
        document.put("accounts", accounts);
        return document;
    }

    private static Map<String, Object> account(final Options options, final int i, final Set<String> ids)
    {
        final String flowId = id("flow_", options.seed(), KIND_FLOW, i, 0, ids);

        final List<Object> devices = new ArrayList<>(options.devicesPerAccount());
        for (int j = 1; j <= options.devicesPerAccount(); j++)
        {
            final Map<String, Object> device = new LinkedHashMap<>();
            device.put("id", id("dev_", options.seed(), KIND_DEVICE, i, j, ids));
            device.put("username", username(j));
            device.put("password", "pw-" + i + "-" + j);
            device.put("enabled", Boolean.TRUE);
            devices.add(device);
        }

        final List<Object> dids = new ArrayList<>(options.didsPerAccount());
        final int toFlow = options.devicesPerAccount() == 0 ? options.didsPerAccount() : (options.didsPerAccount() + 1) / 2;
        for (int k = 0; k < options.didsPerAccount(); k++)
        {
            final Map<String, Object> target = new LinkedHashMap<>();
            if (k < toFlow)
            {
                target.put("type", "flow");
                target.put("id", flowId);
            }
            else
            {
                target.put("type", "device");
                target.put("username", username(1 + (k - toFlow) % options.devicesPerAccount()));
            }
            final Map<String, Object> did = new LinkedHashMap<>();
            did.put("number", did(options, i, k));
            did.put("target", target);
            dids.add(did);
        }

        final Map<String, Object> account = new LinkedHashMap<>();
        account.put("id", id("acc_", options.seed(), KIND_ACCOUNT, i, 0, ids));
        account.put("name", "Bench " + i);
        account.put("domain", "a" + i + ".bench.example");
        account.put("max_channels", (long)options.maxChannels());
        account.put("timezone", "UTC");
        account.put("country", "US");
        account.put("devices", devices);
        account.put("dids", dids);
        account.put("schedules", List.of());
        account.put("flows", List.of(flow(flowId)));
        account.put("trunks", List.of(
            trunk(id("trk_", options.seed(), KIND_TRUNK, i, 1, ids), "+1", "sip:gw.bench.example:5060"),
            trunk(id("trk_", options.seed(), KIND_TRUNK, i, 2, ids), "+44", "sip:uk-gw.bench.example:5060")));
        account.put("queues", List.of());
        account.put("agents", List.of());
        return account;
    }

    /**
     * @param j device number, from 1.
     * @return its username, {@code 1000 + j}.
     */
    static String username(final int j)
    {
        return Integer.toString(1000 + j);
    }

    /**
     * @param options the options.
     * @param i       account number, from 1.
     * @param k       DID number in the account, from 0.
     * @return the DID, {@code +1} and ten digits, unique in the document.
     */
    static String did(final Options options, final int i, final int k)
    {
        return "+1" + (FIRST_DID + (long)(i - 1) * options.didsPerAccount() + k);
    }

    /**
     * The benchmark flow: a one-digit menu that repeats on {@code timeout} and hangs up on anything else, so any number
     * of {@code timeout} steps followed by {@code digit:1} walks it without ever stepping after the hangup.
     */
    private static Map<String, Object> flow(final String flowId)
    {
        final Map<String, Object> gather = new LinkedHashMap<>();
        gather.put("type", "gather");
        gather.put("prompt", "media:menu.wav");
        gather.put("numDigits", 1L);
        gather.put("timeoutMs", 5000L);
        final Map<String, Object> next = new LinkedHashMap<>();
        next.put("digit:1", "bye");
        next.put("timeout", "menu");
        next.put("*", "bye");
        final Map<String, Object> menu = new LinkedHashMap<>();
        menu.put("command", gather);
        menu.put("next", next);
        final Map<String, Object> bye = new LinkedHashMap<>();
        bye.put("command", Map.of("type", "hangup"));
        final Map<String, Object> nodes = new LinkedHashMap<>();
        nodes.put("menu", menu);
        nodes.put("bye", bye);
        final Map<String, Object> definition = new LinkedHashMap<>();
        definition.put("start", "menu");
        definition.put("nodes", nodes);
        final Map<String, Object> flow = new LinkedHashMap<>();
        flow.put("id", flowId);
        flow.put("name", "Bench menu");
        flow.put("definition", definition);
        return flow;
    }

    private static Map<String, Object> trunk(final String id, final String prefix, final String uri)
    {
        final Map<String, Object> trunk = new LinkedHashMap<>();
        trunk.put("id", id);
        trunk.put("prefixes", List.of(prefix));
        trunk.put("uri", uri);
        return trunk;
    }

    /**
     * @return {@code prefix} and a ULID-shaped id for object ({@code kind}, {@code i}, {@code j}), never one already in
     *         {@code ids} (a collision of 80-bit draws is astronomically rare; it is redrawn, still deterministically).
     */
    private static String id(final String prefix, final long seed, final int kind, final int i, final int j,
        final Set<String> ids)
    {
        for (int attempt = 0; ; attempt++)
        {
            long h = mix(seed ^ 0x9e3779b97f4a7c15L);
            h = mix(h ^ kind);
            h = mix(h ^ i);
            h = mix(h ^ ((long)j << 32 | attempt));
            final long high = mix(h ^ 0x632be59bd9b4e019L);
            final String id = prefix + ulid(EPOCH_MILLIS + i, high >>> 48, h);
            if (ids.add(id))
            {
                return id;
            }
        }
    }

    /**
     * @param millis     48-bit time part.
     * @param random16   the top 16 random bits.
     * @param random64   the low 64 random bits.
     * @return 26 Crockford base32 characters, lowercase: 10 for the time, 16 for the 80 random bits.
     */
    static String ulid(final long millis, final long random16, final long random64)
    {
        final char[] out = new char[26];
        long t = millis;
        for (int c = 9; c >= 0; c--)
        {
            out[c] = CROCKFORD[(int)(t & 31)];
            t >>>= 5;
        }
        // 80 random bits = 16 high bits + 64 low bits, 5 bits per character from the low end.
        long low = random64;
        long high = random16 & 0xffff;
        for (int c = 25; c >= 10; c--)
        {
            out[c] = CROCKFORD[(int)(low & 31)];
            low = (low >>> 5) | ((high & 31) << 59);
            high >>>= 5;
        }
        return new String(out);
    }

    /** SplitMix64's finalizer: a fixed, well-mixing bijection on 64 bits. */
    private static long mix(final long value)
    {
        long z = value + 0x9e3779b97f4a7c15L;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
