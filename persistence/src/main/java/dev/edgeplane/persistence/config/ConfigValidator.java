package dev.edgeplane.persistence.config;

import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import dev.edgeplane.codec.DigestAlgorithm;
import dev.edgeplane.codec.Problems;
import dev.edgeplane.codec.SipDigest;

/**
 * The checks {@link ConfigRepository#apply} makes before it touches the database: everything that can be decided
 * from the document alone. Each problem names its place with the document's wire names, e.g.
 * {@code accounts[0].devices[1].ha1_md5}; messages never repeat secret values (HA1s).
 *
 * <p>Refused: missing ids and required text, U+0000 in any string (PostgreSQL {@code text} and {@code jsonb} cannot
 * hold it), ids listed twice, malformed HA1s or numbers, unknown time zones and queue strategies, negative limits,
 * empty schedule windows, flow definitions that are not JSON objects, and references (DID targets, schedules, agents'
 * devices and queues) to things the account does not define.
 *
 * <p>Stateless and thread-safe.
 */
final class ConfigValidator
{
    /** Weekday keys of a schedule's {@code weekly} object, Monday first (index = {@code DayOfWeek.ordinal()}). */
    static final List<String> DAY_NAMES = List.of("mon", "tue", "wed", "thu", "fri", "sat", "sun");

    private static final String REQUIRED = "is required";
    private static final String NUL = "must not contain a NUL character";
    private static final String DIGITS = "must be E.164 digits without '+'";
    private static final String STRATEGY_LIST =
        "must be one of " + String.join(", ", new TreeSet<>(QueueConfig.STRATEGIES));

    private ConfigValidator()
    {
    }

    /**
     * @param accounts the document's accounts.
     * @param problems where to record what is wrong.
     */
    static void validate(final List<AccountConfig> accounts, final Problems problems)
    {
        final Map<String, String> accountIds = new HashMap<>();
        final Map<String, String> domains = new HashMap<>();
        final Map<String, String> deviceIds = new HashMap<>();
        final Map<String, String> numbers = new HashMap<>();

        for (int i = 0; i < accounts.size(); i++)
        {
            final String path = "accounts[" + i + "]";
            final AccountConfig account = accounts.get(i);
            if (null == account)
            {
                problems.add(path, REQUIRED);
                continue;
            }
            if (text(problems, path + ".id", account.id(), true))
            {
                unique(problems, accountIds, account.id(), path + ".id", "account " + account.id());
            }
            text(problems, path + ".name", account.name(), false);
            if (text(problems, path + ".domain", account.domain(), true))
            {
                unique(problems, domains, account.domain().toLowerCase(Locale.ROOT), path + ".domain",
                    "domain " + account.domain());
            }
            if (account.maxChannels() < 0)
            {
                problems.add(path + ".max_channels", "must not be negative");
            }
            if (text(problems, path + ".timezone", account.timezone(), false) && null != account.timezone())
            {
                zone(problems, path + ".timezone", account.timezone());
            }
            text(problems, path + ".country", account.country(), false);

            validateAccountChildren(account, path, problems, deviceIds, numbers);
        }
    }

    private static void validateAccountChildren(
        final AccountConfig account,
        final String path,
        final Problems problems,
        final Map<String, String> deviceIds,
        final Map<String, String> numbers)
    {
        final Map<String, String> usernames = new HashMap<>();
        for (int j = 0; j < account.devices().size(); j++)
        {
            final String at = path + ".devices[" + j + "]";
            final DeviceConfig device = account.devices().get(j);
            if (null == device)
            {
                problems.add(at, REQUIRED);
                continue;
            }
            if (text(problems, at + ".id", device.id(), true))
            {
                unique(problems, deviceIds, device.id(), at + ".id", "device " + device.id());
            }
            if (text(problems, at + ".username", device.username(), true))
            {
                unique(problems, usernames, device.username(), at + ".username", "username " + device.username());
            }
            if (null == device.ha1Md5() && null == device.ha1Sha256())
            {
                problems.add(at, "needs ha1_md5 or ha1_sha256 (or a password)");
            }
            if (null != device.ha1Md5() && !SipDigest.isHex(device.ha1Md5(), DigestAlgorithm.MD5.hexLength()))
            {
                problems.add(at + ".ha1_md5", "must be " + DigestAlgorithm.MD5.hexLength() + " hex digits");
            }
            if (null != device.ha1Sha256() && !SipDigest.isHex(device.ha1Sha256(), DigestAlgorithm.SHA_256.hexLength()))
            {
                problems.add(at + ".ha1_sha256", "must be " + DigestAlgorithm.SHA_256.hexLength() + " hex digits");
            }
        }

        final Map<String, String> scheduleIds = new HashMap<>();
        for (int j = 0; j < account.schedules().size(); j++)
        {
            final String at = path + ".schedules[" + j + "]";
            final ScheduleConfig schedule = account.schedules().get(j);
            if (null == schedule)
            {
                problems.add(at, REQUIRED);
                continue;
            }
            if (text(problems, at + ".id", schedule.id(), true))
            {
                unique(problems, scheduleIds, schedule.id(), at + ".id", "schedule " + schedule.id());
            }
            if (text(problems, at + ".timezone", schedule.timezone(), true))
            {
                zone(problems, at + ".timezone", schedule.timezone());
            }
            for (final Map.Entry<DayOfWeek, List<TimeWindow>> day : schedule.weekly().entrySet())
            {
                final List<TimeWindow> windows = day.getValue();
                for (int k = 0; k < windows.size(); k++)
                {
                    final TimeWindow window = windows.get(k);
                    if (!window.start().isBefore(window.end()))
                    {
                        problems.add(at + ".weekly." + DAY_NAMES.get(day.getKey().ordinal()) + "[" + k + "]",
                            "must start before it ends");
                    }
                }
            }
        }

        final Map<String, String> flowIds = new HashMap<>();
        for (int j = 0; j < account.flows().size(); j++)
        {
            final String at = path + ".flows[" + j + "]";
            final FlowConfig flow = account.flows().get(j);
            if (null == flow)
            {
                problems.add(at, REQUIRED);
                continue;
            }
            if (text(problems, at + ".id", flow.id(), true))
            {
                unique(problems, flowIds, flow.id(), at + ".id", "flow " + flow.id());
            }
            text(problems, at + ".name", flow.name(), false);
            if (null == flow.definitionJson())
            {
                problems.add(at + ".definition", REQUIRED);
            }
            else
            {
                final Object tree = CanonicalJson.parse(flow.definitionJson());
                if (CanonicalJson.INVALID == tree)
                {
                    problems.add(at + ".definition", "must be valid JSON");
                }
                else if (!(tree instanceof Map))
                {
                    problems.add(at + ".definition", "must be a JSON object");
                }
                else if (CanonicalJson.containsNul(tree))
                {
                    problems.add(at + ".definition", NUL);
                }
            }
        }

        final Map<String, String> trunkIds = new HashMap<>();
        for (int j = 0; j < account.trunks().size(); j++)
        {
            final String at = path + ".trunks[" + j + "]";
            final TrunkConfig trunk = account.trunks().get(j);
            if (null == trunk)
            {
                problems.add(at, REQUIRED);
                continue;
            }
            if (text(problems, at + ".id", trunk.id(), true))
            {
                unique(problems, trunkIds, trunk.id(), at + ".id", "trunk " + trunk.id());
            }
            for (int k = 0; k < trunk.prefixes().size(); k++)
            {
                if (!isDigits(trunk.prefixes().get(k)))
                {
                    problems.add(at + ".prefixes[" + k + "]", DIGITS);
                }
            }
            text(problems, at + ".uri", trunk.uri(), true);
        }

        final Map<String, String> queueIds = new HashMap<>();
        for (int j = 0; j < account.queues().size(); j++)
        {
            final String at = path + ".queues[" + j + "]";
            final QueueConfig queue = account.queues().get(j);
            if (null == queue)
            {
                problems.add(at, REQUIRED);
                continue;
            }
            if (text(problems, at + ".id", queue.id(), true))
            {
                unique(problems, queueIds, queue.id(), at + ".id", "queue " + queue.id());
            }
            text(problems, at + ".name", queue.name(), false);
            if (text(problems, at + ".strategy", queue.strategy(), true) &&
                !QueueConfig.STRATEGIES.contains(queue.strategy()))
            {
                problems.add(at + ".strategy", STRATEGY_LIST);
            }
            notNegative(problems, at + ".ring_timeout_s", queue.ringTimeoutS());
            notNegative(problems, at + ".wrapup_s", queue.wrapupS());
            notNegative(problems, at + ".max_wait_s", queue.maxWaitS());
        }

        for (int j = 0; j < account.dids().size(); j++)
        {
            final String at = path + ".dids[" + j + "]";
            final DidConfig did = account.dids().get(j);
            if (null == did)
            {
                problems.add(at, REQUIRED);
                continue;
            }
            if (null == did.number() || did.number().isEmpty())
            {
                problems.add(at + ".number", REQUIRED);
            }
            else if (!isDigits(did.number()))
            {
                problems.add(at + ".number", DIGITS);
            }
            else
            {
                unique(problems, numbers, did.number(), at + ".number", "DID +" + did.number());
            }
            if (null == did.target())
            {
                problems.add(at + ".target", REQUIRED);
            }
            else
            {
                target(problems, at + ".target", did.target(), usernames, flowIds);
            }
            if (null != did.scheduleId() && text(problems, at + ".schedule", did.scheduleId(), false) &&
                !scheduleIds.containsKey(did.scheduleId()))
            {
                problems.add(at + ".schedule", "schedule " + did.scheduleId() + " is not defined in this account");
            }
            if (null != did.afterHours())
            {
                target(problems, at + ".after_hours", did.afterHours(), usernames, flowIds);
            }
        }

        final Set<String> userIds = new HashSet<>();
        for (int j = 0; j < account.agents().size(); j++)
        {
            final String at = path + ".agents[" + j + "]";
            final AgentConfig agent = account.agents().get(j);
            if (null == agent)
            {
                problems.add(at, REQUIRED);
                continue;
            }
            if (text(problems, at + ".user_id", agent.userId(), true) && !userIds.add(agent.userId()))
            {
                problems.add(at + ".user_id", "agent " + agent.userId() + " is listed twice");
            }
            if (null != agent.device() && text(problems, at + ".device", agent.device(), false) &&
                !usernames.containsKey(agent.device()))
            {
                problems.add(at + ".device", "device " + agent.device() + " is not defined in this account");
            }
            for (int k = 0; k < agent.queues().size(); k++)
            {
                final String queue = agent.queues().get(k);
                if (text(problems, at + ".queues[" + k + "]", queue, true) && !queueIds.containsKey(queue))
                {
                    problems.add(at + ".queues[" + k + "]", "queue " + queue + " is not defined in this account");
                }
            }
        }
    }

    private static void target(
        final Problems problems,
        final String at,
        final Target target,
        final Map<String, String> usernames,
        final Map<String, String> flowIds)
    {
        if (null == target.kind())
        {
            problems.add(at + ".type", REQUIRED);
            return;
        }
        switch (target.kind())
        {
            case FLOW:
                if (text(problems, at + ".id", target.value(), true) && !flowIds.containsKey(target.value()))
                {
                    problems.add(at + ".id", "flow " + target.value() + " is not defined in this account");
                }
                break;
            case DEVICE:
                if (text(problems, at + ".username", target.value(), true) && !usernames.containsKey(target.value()))
                {
                    problems.add(at + ".username", "device " + target.value() + " is not defined in this account");
                }
                break;
            case NUMBER:
            default:
                if (null == target.value() || target.value().isEmpty())
                {
                    problems.add(at + ".number", REQUIRED);
                }
                else if (!isDigits(target.value()))
                {
                    problems.add(at + ".number", DIGITS);
                }
                break;
        }
    }

    /**
     * @return true if the value is present and clean (so callers may go on checking it), false if a problem was
     *         recorded or an optional value is absent.
     */
    private static boolean text(final Problems problems, final String path, final String value, final boolean required)
    {
        if (null == value || (required && value.isBlank()))
        {
            if (required)
            {
                problems.add(path, REQUIRED);
            }
            return false;
        }
        if (value.indexOf('\0') >= 0)
        {
            problems.add(path, NUL);
            return false;
        }
        return true;
    }

    private static void unique(
        final Problems problems, final Map<String, String> seen, final String key, final String path, final String what)
    {
        final String first = seen.putIfAbsent(key, path);
        if (null != first)
        {
            problems.add(path, what + " is listed twice (first at " + first + ")");
        }
    }

    private static void zone(final Problems problems, final String path, final String zone)
    {
        try
        {
            ZoneId.of(zone);
        }
        catch (final DateTimeException ex)
        {
            problems.add(path, "is not a known time zone");
        }
    }

    private static void notNegative(final Problems problems, final String path, final int value)
    {
        if (value < 0)
        {
            problems.add(path, "must not be negative");
        }
    }

    /**
     * @return true for 1 to 15 ASCII digits: a DID, target number or trunk prefix as stored.
     */
    static boolean isDigits(final String s)
    {
        if (null == s || s.isEmpty() || s.length() > 15)
        {
            return false;
        }
        for (int i = 0; i < s.length(); i++)
        {
            if (s.charAt(i) < '0' || s.charAt(i) > '9')
            {
                return false;
            }
        }
        return true;
    }
}
