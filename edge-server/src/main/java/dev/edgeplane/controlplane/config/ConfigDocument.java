package dev.edgeplane.controlplane.config;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import dev.edgeplane.codec.DecodeException;
import dev.edgeplane.codec.DigestAlgorithm;
import dev.edgeplane.codec.E164;
import dev.edgeplane.codec.Json;
import dev.edgeplane.codec.Problems;
import dev.edgeplane.codec.SipDigest;
import dev.edgeplane.controlplane.flow.CompileResult;
import dev.edgeplane.controlplane.flow.FlowCompiler;
import dev.edgeplane.persistence.config.AccountConfig;
import dev.edgeplane.persistence.config.AgentConfig;
import dev.edgeplane.persistence.config.DeviceConfig;
import dev.edgeplane.persistence.config.DidConfig;
import dev.edgeplane.persistence.config.FlowConfig;
import dev.edgeplane.persistence.config.QueueConfig;
import dev.edgeplane.persistence.config.ScheduleConfig;
import dev.edgeplane.persistence.config.Target;
import dev.edgeplane.persistence.config.TimeWindow;
import dev.edgeplane.persistence.config.TrunkConfig;

/**
 * The control-plane configuration document (docs/SPEC-control-plane.md, "Configuration"): parsing and
 * validation into the persistence records, and export back to the same JSON shape.
 *
 * <p>Validation reports every problem at once, each with its JSON path, so an operator fixes a
 * document in one round. Passwords are turned into HA1 values (MD5 and SHA-256, realm = the
 * account's domain) here and never stored.
 *
 * <p>Thread-safe (stateless).
 */
public final class ConfigDocument
{
    /** Strategies a queue may use (docs/SPEC-control-plane.md, "Agents and ACD"). */
    public static final Set<String> QUEUE_STRATEGIES =
        Set.of("ring_all", "longest_idle", "round_robin", "fewest_calls", "random");

    private static final String[] DAYS = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

    /** The outcome of parsing: accounts when valid, otherwise the problems (never both). */
    public record Parsed(List<AccountConfig> accounts, Problems problems)
    {
        public boolean valid()
        {
            return problems.isEmpty();
        }
    }

    private ConfigDocument()
    {
    }

    /** Parses and validates a whole document. */
    public static Parsed parse(final byte[] json, final int off, final int len)
    {
        final Problems problems = new Problems();
        final Object root;
        try
        {
            root = Json.parse(json, off, len);
        }
        catch (final DecodeException e)
        {
            problems.add("$", e.getMessage());
            return new Parsed(List.of(), problems);
        }
        if (!(root instanceof Map<?, ?> map))
        {
            problems.add("$", "the document must be a JSON object with an \"accounts\" list");
            return new Parsed(List.of(), problems);
        }
        final Reader r = new Reader(problems);
        r.allowOnly(map, "", "accounts");
        final List<Object> list = r.list(map, "accounts", "accounts", true);
        final List<AccountConfig> accounts = new ArrayList<>();
        if (list != null && list.isEmpty())
        {
            problems.add("accounts", "must name at least one account");
        }
        final Set<String> ids = new HashSet<>();
        final Map<String, String> didOwner = new HashMap<>();
        final Set<String> domains = new HashSet<>();
        final Set<String> deviceIds = new HashSet<>();
        if (list != null)
        {
            for (int i = 0; i < list.size(); i++)
            {
                final AccountConfig account = r.account(list.get(i), "accounts[" + i + "]", didOwner, deviceIds);
                if (account != null)
                {
                    if (!ids.add(account.id()))
                    {
                        problems.add("accounts[" + i + "].id", "account " + account.id() + " appears twice");
                    }
                    if (!domains.add(account.domain()))
                    {
                        problems.add("accounts[" + i + "].domain", "domain " + account.domain() + " appears twice");
                    }
                    accounts.add(account);
                }
            }
        }
        return problems.isEmpty() ? new Parsed(List.copyOf(accounts), problems) : new Parsed(List.of(), problems);
    }

    /** @return the account in the document's JSON shape (HA1 values, never passwords). */
    public static Map<String, Object> export(final AccountConfig a)
    {
        final Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", a.id());
        out.put("name", a.name());
        out.put("domain", a.domain());
        out.put("max_channels", (long)a.maxChannels());
        out.put("timezone", a.timezone());
        if (a.country() != null)
        {
            out.put("country", a.country());
        }
        out.put("version", a.version());
        final List<Object> devices = new ArrayList<>();
        for (final DeviceConfig d : a.devices())
        {
            final Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", d.id());
            m.put("username", d.username());
            m.put("ha1_md5", d.ha1Md5());
            if (d.ha1Sha256() != null)
            {
                m.put("ha1_sha256", d.ha1Sha256());
            }
            m.put("enabled", d.enabled());
            devices.add(m);
        }
        out.put("devices", devices);
        final List<Object> dids = new ArrayList<>();
        for (final DidConfig d : a.dids())
        {
            final Map<String, Object> m = new LinkedHashMap<>();
            m.put("number", "+" + d.number());
            m.put("target", target(d.target()));
            if (d.scheduleId() != null)
            {
                m.put("schedule", d.scheduleId());
            }
            if (d.afterHours() != null)
            {
                m.put("after_hours", target(d.afterHours()));
            }
            dids.add(m);
        }
        out.put("dids", dids);
        final List<Object> schedules = new ArrayList<>();
        for (final ScheduleConfig s : a.schedules())
        {
            final Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", s.id());
            m.put("timezone", s.timezone());
            final Map<String, Object> weekly = new LinkedHashMap<>();
            for (int d = 0; d < DAYS.length; d++)
            {
                final List<TimeWindow> windows = s.weekly().get(DayOfWeek.of(d + 1));
                if (windows != null && !windows.isEmpty())
                {
                    final List<Object> pairs = new ArrayList<>();
                    for (final TimeWindow w : windows)
                    {
                        pairs.add(List.of(hhmm(w.start()), hhmm(w.end())));
                    }
                    weekly.put(DAYS[d], pairs);
                }
            }
            m.put("weekly", weekly);
            final List<Object> holidays = new ArrayList<>();
            for (final LocalDate h : new TreeSet<>(s.holidays()))
            {
                holidays.add(h.toString());
            }
            m.put("holidays", holidays);
            schedules.add(m);
        }
        out.put("schedules", schedules);
        final List<Object> flows = new ArrayList<>();
        for (final FlowConfig f : a.flows())
        {
            final Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", f.id());
            m.put("name", f.name());
            final byte[] def = f.definitionJson().getBytes(StandardCharsets.UTF_8);
            m.put("definition", Json.parse(def, 0, def.length));
            flows.add(m);
        }
        out.put("flows", flows);
        final List<Object> trunks = new ArrayList<>();
        for (final TrunkConfig t : a.trunks())
        {
            final Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", t.id());
            final List<Object> prefixes = new ArrayList<>();
            t.prefixes().forEach(p -> prefixes.add("+" + p));
            m.put("prefixes", prefixes);
            m.put("uri", t.uri());
            trunks.add(m);
        }
        out.put("trunks", trunks);
        final List<Object> queues = new ArrayList<>();
        for (final QueueConfig q : a.queues())
        {
            final Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", q.id());
            m.put("name", q.name());
            m.put("strategy", q.strategy());
            m.put("ring_timeout_s", (long)q.ringTimeoutS());
            m.put("wrapup_s", (long)q.wrapupS());
            m.put("max_wait_s", (long)q.maxWaitS());
            queues.add(m);
        }
        out.put("queues", queues);
        final List<Object> agents = new ArrayList<>();
        for (final AgentConfig ag : a.agents())
        {
            final Map<String, Object> m = new LinkedHashMap<>();
            m.put("user_id", ag.userId());
            m.put("device", ag.device());
            m.put("queues", new ArrayList<Object>(ag.queues()));
            agents.add(m);
        }
        out.put("agents", agents);
        return out;
    }

    private static Map<String, Object> target(final Target t)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", t.kind().wireName());
        switch (t.kind())
        {
            case FLOW -> m.put("id", t.value());
            case DEVICE -> m.put("username", t.value());
            default -> m.put("number", "+" + t.value());
        }
        return m;
    }

    private static String hhmm(final LocalTime t)
    {
        return t.equals(LocalTime.MAX) ? "24:00" : String.format(Locale.ROOT, "%02d:%02d", t.getHour(), t.getMinute());
    }

    /** @return true when {@code id} is {@code prefix} followed by a lowercase ULID (26 Crockford base32 chars). */
    public static boolean isId(final String prefix, final String id)
    {
        if (id == null || id.length() != prefix.length() + 26 || !id.startsWith(prefix))
        {
            return false;
        }
        for (int i = prefix.length(); i < id.length(); i++)
        {
            final char c = id.charAt(i);
            final boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z' && c != 'i' && c != 'l' && c != 'o' && c != 'u');
            if (!ok)
            {
                return false;
            }
        }
        return true;
    }

    /** Walks one document, collecting problems; one per parse. */
    private static final class Reader
    {
        private final Problems problems;

        Reader(final Problems problems)
        {
            this.problems = problems;
        }

        AccountConfig account(final Object node, final String path, final Map<String, String> didOwner,
            final Set<String> deviceIds)
        {
            if (!(node instanceof Map<?, ?> m))
            {
                problems.add(path, "must be an object");
                return null;
            }
            allowOnly(m, path, "id", "name", "domain", "max_channels", "timezone", "country", "version", "devices", "dids",
                "schedules", "flows", "trunks", "queues", "agents");
            final String id = id(m, path, "id", "acc_");
            final String name = string(m, path, "name", true, 1, 200);
            String domain = string(m, path, "domain", true, 1, 253);
            if (domain != null)
            {
                domain = domain.toLowerCase(Locale.ROOT);
                if (!domain.matches("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*"))
                {
                    problems.add(path + ".domain", "must be a DNS name");
                }
            }
            final long maxChannels = integer(m, path, "max_channels", true, 0, 0, 1_000_000);
            final String timezone = zone(m, path, "timezone", "UTC");
            final String country = string(m, path, "country", false, 2, 2);

            final String realm = domain;
            final List<DeviceConfig> devices = new ArrayList<>();
            final Set<String> usernames = new HashSet<>();
            each(m, path, "devices", (item, p) ->
            {
                final DeviceConfig d = device(item, p, realm);
                if (d != null)
                {
                    if (!usernames.add(d.username()))
                    {
                        problems.add(p + ".username", "username " + d.username() + " appears twice in this account");
                    }
                    if (!deviceIds.add(d.id()))
                    {
                        problems.add(p + ".id", "device id " + d.id() + " appears twice");
                    }
                    devices.add(d);
                }
            });

            final List<ScheduleConfig> schedules = new ArrayList<>();
            each(m, path, "schedules", (item, p) ->
            {
                final ScheduleConfig s = schedule(item, p, timezone);
                if (s != null)
                {
                    schedules.add(s);
                }
            });
            final Set<String> scheduleIds = new HashSet<>();
            schedules.forEach(s -> scheduleIds.add(s.id()));

            final List<FlowConfig> flows = new ArrayList<>();
            final Set<String> flowIds = new HashSet<>();
            each(m, path, "flows", (item, p) ->
            {
                final FlowConfig f = flow(item, p);
                if (f != null)
                {
                    if (!flowIds.add(f.id()))
                    {
                        problems.add(p + ".id", "flow " + f.id() + " appears twice in this account");
                    }
                    flows.add(f);
                }
            });

            final List<DidConfig> dids = new ArrayList<>();
            each(m, path, "dids", (item, p) ->
            {
                final DidConfig d = did(item, p, usernames, flowIds, scheduleIds);
                if (d != null)
                {
                    final String owner = didOwner.putIfAbsent(d.number(), id == null ? "" : id);
                    if (owner != null)
                    {
                        problems.add(p + ".number", "DID +" + d.number() + " appears twice in the document");
                    }
                    dids.add(d);
                }
            });

            final List<TrunkConfig> trunks = new ArrayList<>();
            each(m, path, "trunks", (item, p) ->
            {
                final TrunkConfig t = trunk(item, p);
                if (t != null)
                {
                    trunks.add(t);
                }
            });

            final List<QueueConfig> queues = new ArrayList<>();
            each(m, path, "queues", (item, p) ->
            {
                final QueueConfig q = queue(item, p);
                if (q != null)
                {
                    queues.add(q);
                }
            });
            final Set<String> queueIds = new HashSet<>();
            queues.forEach(q -> queueIds.add(q.id()));

            final List<AgentConfig> agents = new ArrayList<>();
            final Set<String> agentIds = new HashSet<>();
            each(m, path, "agents", (item, p) ->
            {
                final AgentConfig a = agent(item, p, usernames, queueIds);
                if (a != null)
                {
                    if (!agentIds.add(a.userId()))
                    {
                        problems.add(p + ".user_id", "agent " + a.userId() + " appears twice in this account");
                    }
                    agents.add(a);
                }
            });

            if (id == null || name == null || domain == null)
            {
                return null;
            }
            return new AccountConfig(id, name, domain, (int)maxChannels, timezone, country, 0, devices, dids, schedules,
                flows, trunks, queues, agents);
        }

        DeviceConfig device(final Object node, final String path, final String realm)
        {
            if (!(node instanceof Map<?, ?> m))
            {
                problems.add(path, "must be an object");
                return null;
            }
            allowOnly(m, path, "id", "username", "password", "ha1_md5", "ha1_sha256", "enabled");
            final String id = id(m, path, "id", "dev_");
            final String username = string(m, path, "username", true, 1, 64);
            if (username != null && !username.matches("[A-Za-z0-9._+-]+"))
            {
                problems.add(path + ".username", "may contain only letters, digits and . _ + -");
            }
            final String password = string(m, path, "password", false, 1, 128);
            String ha1Md5 = hex(m, path, "ha1_md5", 32);
            String ha1Sha256 = hex(m, path, "ha1_sha256", 64);
            final boolean enabled = bool(m, path, "enabled", true);
            if (password != null && (ha1Md5 != null || ha1Sha256 != null))
            {
                problems.add(path, "give either password or HA1 values, not both");
            }
            else if (password == null && ha1Md5 == null)
            {
                problems.add(path, "needs password or ha1_md5");
            }
            if (password != null && username != null && realm != null)
            {
                ha1Md5 = SipDigest.ha1(DigestAlgorithm.MD5, username, realm, password);
                ha1Sha256 = SipDigest.ha1(DigestAlgorithm.SHA_256, username, realm, password);
            }
            if (id == null || username == null || ha1Md5 == null)
            {
                return null;
            }
            return new DeviceConfig(id, username, ha1Md5, ha1Sha256, enabled);
        }

        DidConfig did(final Object node, final String path, final Set<String> usernames, final Set<String> flowIds,
            final Set<String> scheduleIds)
        {
            if (!(node instanceof Map<?, ?> m))
            {
                problems.add(path, "must be an object");
                return null;
            }
            allowOnly(m, path, "number", "target", "schedule", "after_hours");
            final String number = number(m, path, "number", true);
            final Target target = target(m.get("target"), path + ".target", true, usernames, flowIds);
            final String schedule = string(m, path, "schedule", false, 1, 64);
            if (schedule != null && !scheduleIds.contains(schedule))
            {
                problems.add(path + ".schedule", "no schedule " + schedule + " in this account");
            }
            final Target afterHours = target(m.get("after_hours"), path + ".after_hours", false, usernames, flowIds);
            if (afterHours != null && schedule == null)
            {
                problems.add(path + ".after_hours", "needs a schedule");
            }
            return number == null || target == null ? null : new DidConfig(number, target, schedule, afterHours);
        }

        Target target(final Object node, final String path, final boolean required, final Set<String> usernames,
            final Set<String> flowIds)
        {
            if (node == null)
            {
                if (required)
                {
                    problems.add(path, "is required");
                }
                return null;
            }
            if (!(node instanceof Map<?, ?> m))
            {
                problems.add(path, "must be an object {\"type\":\"flow|device|number\", ...}");
                return null;
            }
            final String type = string(m, path, "type", true, 1, 16);
            if (type == null)
            {
                return null;
            }
            switch (type)
            {
                case "flow":
                    allowOnly(m, path, "type", "id");
                    final String flow = string(m, path, "id", true, 1, 64);
                    if (flow != null && !flowIds.contains(flow))
                    {
                        problems.add(path + ".id", "no flow " + flow + " in this account");
                    }
                    return flow == null ? null : new Target(Target.Kind.FLOW, flow);
                case "device":
                    allowOnly(m, path, "type", "username");
                    final String user = string(m, path, "username", true, 1, 64);
                    if (user != null && !usernames.contains(user))
                    {
                        problems.add(path + ".username", "no device " + user + " in this account");
                    }
                    return user == null ? null : new Target(Target.Kind.DEVICE, user);
                case "number":
                    allowOnly(m, path, "type", "number");
                    final String number = number(m, path, "number", true);
                    return number == null ? null : new Target(Target.Kind.NUMBER, number);
                default:
                    problems.add(path + ".type", "must be flow, device or number");
                    return null;
            }
        }

        ScheduleConfig schedule(final Object node, final String path, final String accountZone)
        {
            if (!(node instanceof Map<?, ?> m))
            {
                problems.add(path, "must be an object");
                return null;
            }
            allowOnly(m, path, "id", "timezone", "weekly", "holidays");
            final String id = id(m, path, "id", "sch_");
            final String zone = zone(m, path, "timezone", accountZone);
            final Map<DayOfWeek, List<TimeWindow>> weekly = new EnumMap<>(DayOfWeek.class);
            final Object w = m.get("weekly");
            if (w != null && !(w instanceof Map))
            {
                problems.add(path + ".weekly", "must be an object of day → [[\"HH:MM\",\"HH:MM\"], ...]");
            }
            else if (w instanceof Map<?, ?> days)
            {
                for (final Map.Entry<?, ?> e : days.entrySet())
                {
                    final String day = String.valueOf(e.getKey());
                    final String dp = path + ".weekly." + day;
                    int index = -1;
                    for (int d = 0; d < DAYS.length; d++)
                    {
                        if (DAYS[d].equals(day))
                        {
                            index = d;
                        }
                    }
                    if (index < 0)
                    {
                        problems.add(dp, "unknown day (mon, tue, wed, thu, fri, sat, sun)");
                        continue;
                    }
                    weekly.put(DayOfWeek.of(index + 1), windows(e.getValue(), dp));
                }
            }
            final Set<LocalDate> holidays = new LinkedHashSet<>();
            final Object h = m.get("holidays");
            if (h != null && !(h instanceof List))
            {
                problems.add(path + ".holidays", "must be a list of \"YYYY-MM-DD\"");
            }
            else if (h instanceof List<?> list)
            {
                for (int i = 0; i < list.size(); i++)
                {
                    try
                    {
                        holidays.add(LocalDate.parse(String.valueOf(list.get(i))));
                    }
                    catch (final DateTimeException e)
                    {
                        problems.add(path + ".holidays[" + i + "]", "must be a date YYYY-MM-DD");
                    }
                }
            }
            return id == null ? null : new ScheduleConfig(id, zone, weekly, holidays);
        }

        List<TimeWindow> windows(final Object node, final String path)
        {
            final List<TimeWindow> windows = new ArrayList<>();
            if (!(node instanceof List<?> list))
            {
                problems.add(path, "must be a list of [\"HH:MM\",\"HH:MM\"] pairs");
                return windows;
            }
            for (int i = 0; i < list.size(); i++)
            {
                final String wp = path + "[" + i + "]";
                if (!(list.get(i) instanceof List<?> pair) || pair.size() != 2)
                {
                    problems.add(wp, "must be a pair [\"HH:MM\",\"HH:MM\"]");
                    continue;
                }
                final LocalTime start = time(pair.get(0), wp + "[0]", false);
                final LocalTime end = time(pair.get(1), wp + "[1]", true);
                if (start != null && end != null)
                {
                    if (!end.isAfter(start))
                    {
                        problems.add(wp, "must end after it starts");
                    }
                    else
                    {
                        windows.add(new TimeWindow(start, end));
                    }
                }
            }
            return windows;
        }

        LocalTime time(final Object v, final String path, final boolean endOfDayAllowed)
        {
            if (v instanceof String s && s.matches("\\d\\d:\\d\\d"))
            {
                if (endOfDayAllowed && s.equals("24:00"))
                {
                    return LocalTime.MAX;
                }
                final int hh = Integer.parseInt(s.substring(0, 2));
                final int mm = Integer.parseInt(s.substring(3));
                if (hh < 24 && mm < 60)
                {
                    return LocalTime.of(hh, mm);
                }
            }
            problems.add(path, "must be a time HH:MM" + (endOfDayAllowed ? " (or 24:00)" : ""));
            return null;
        }

        FlowConfig flow(final Object node, final String path)
        {
            if (!(node instanceof Map<?, ?> m))
            {
                problems.add(path, "must be an object");
                return null;
            }
            allowOnly(m, path, "id", "name", "definition");
            final String id = id(m, path, "id", "flow_");
            final String name = string(m, path, "name", false, 1, 200);
            final Object definition = m.get("definition");
            if (definition == null)
            {
                problems.add(path + ".definition", "is required");
                return null;
            }
            final CompileResult compiled = FlowCompiler.compile(id == null ? "flow" : id, definition);
            for (int i = 0; i < compiled.problems().size(); i++)
            {
                problems.add(path + ".definition." + compiled.problems().path(i), compiled.problems().message(i));
            }
            if (id == null || !compiled.problems().isEmpty())
            {
                return null;
            }
            return new FlowConfig(id, name == null ? id : name, new String(Json.write(definition), StandardCharsets.UTF_8));
        }

        TrunkConfig trunk(final Object node, final String path)
        {
            if (!(node instanceof Map<?, ?> m))
            {
                problems.add(path, "must be an object");
                return null;
            }
            allowOnly(m, path, "id", "prefixes", "uri");
            final String id = id(m, path, "id", "trk_");
            final List<String> prefixes = new ArrayList<>();
            final List<Object> list = list(m, path + ".prefixes", "prefixes", true);
            if (list != null)
            {
                for (int i = 0; i < list.size(); i++)
                {
                    final String digits = list.get(i) instanceof String s ? E164.digits(s) : null;
                    if (digits == null)
                    {
                        problems.add(path + ".prefixes[" + i + "]", "must be a number prefix like \"+1\"");
                    }
                    else
                    {
                        prefixes.add(digits);
                    }
                }
            }
            final String uri = string(m, path, "uri", true, 5, 512);
            if (uri != null && !(uri.startsWith("sip:") || uri.startsWith("sips:")))
            {
                problems.add(path + ".uri", "must be a sip: or sips: URI");
            }
            return id == null || uri == null ? null : new TrunkConfig(id, prefixes, uri);
        }

        QueueConfig queue(final Object node, final String path)
        {
            if (!(node instanceof Map<?, ?> m))
            {
                problems.add(path, "must be an object");
                return null;
            }
            allowOnly(m, path, "id", "name", "strategy", "ring_timeout_s", "wrapup_s", "max_wait_s");
            final String id = id(m, path, "id", "q_");
            final String name = string(m, path, "name", false, 1, 200);
            final String strategy = string(m, path, "strategy", false, 1, 32);
            if (strategy != null && !QUEUE_STRATEGIES.contains(strategy))
            {
                problems.add(path + ".strategy", "must be one of " + new TreeSet<>(QUEUE_STRATEGIES));
            }
            final long ring = integer(m, path, "ring_timeout_s", false, 20, 1, 600);
            final long wrapup = integer(m, path, "wrapup_s", false, 0, 0, 3600);
            final long maxWait = integer(m, path, "max_wait_s", false, 300, 1, 86_400);
            return id == null ? null : new QueueConfig(id, name == null ? id : name, strategy == null ? "ring_all" : strategy,
                (int)ring, (int)wrapup, (int)maxWait);
        }

        AgentConfig agent(final Object node, final String path, final Set<String> usernames, final Set<String> queueIds)
        {
            if (!(node instanceof Map<?, ?> m))
            {
                problems.add(path, "must be an object");
                return null;
            }
            allowOnly(m, path, "user_id", "device", "queues");
            final String userId = id(m, path, "user_id", "usr_");
            final String device = string(m, path, "device", true, 1, 64);
            if (device != null && !usernames.contains(device))
            {
                problems.add(path + ".device", "no device " + device + " in this account");
            }
            final List<String> queues = new ArrayList<>();
            final List<Object> list = list(m, path + ".queues", "queues", false);
            if (list != null)
            {
                for (int i = 0; i < list.size(); i++)
                {
                    if (!(list.get(i) instanceof String q) || !queueIds.contains(q))
                    {
                        problems.add(path + ".queues[" + i + "]", "no such queue in this account");
                    }
                    else
                    {
                        queues.add(q);
                    }
                }
            }
            return userId == null || device == null ? null : new AgentConfig(userId, device, queues);
        }

        // ---- field readers: each records a problem and returns null/default on bad input ----

        void allowOnly(final Map<?, ?> m, final String path, final String... names)
        {
            final Set<String> allowed = Set.of(names);
            for (final Object k : m.keySet())
            {
                if (!allowed.contains(String.valueOf(k)))
                {
                    problems.add(join(path, String.valueOf(k)), "unknown field");
                }
            }
        }

        interface ItemReader
        {
            void read(Object item, String path);
        }

        void each(final Map<?, ?> m, final String path, final String name, final ItemReader reader)
        {
            final List<Object> list = list(m, join(path, name), name, false);
            if (list != null)
            {
                for (int i = 0; i < list.size(); i++)
                {
                    reader.read(list.get(i), join(path, name) + "[" + i + "]");
                }
            }
        }

        @SuppressWarnings("unchecked")
        List<Object> list(final Map<?, ?> m, final String path, final String name, final boolean required)
        {
            final Object v = m.get(name);
            if (v == null)
            {
                if (required)
                {
                    problems.add(path, "is required");
                }
                return null;
            }
            if (!(v instanceof List))
            {
                problems.add(path, "must be a list");
                return null;
            }
            return (List<Object>)v;
        }

        String string(final Map<?, ?> m, final String path, final String name, final boolean required, final int min,
            final int max)
        {
            final Object v = m.get(name);
            final String p = join(path, name);
            if (v == null)
            {
                if (required)
                {
                    problems.add(p, "is required");
                }
                return null;
            }
            if (!(v instanceof String s))
            {
                problems.add(p, "must be a string");
                return null;
            }
            if (s.length() < min || s.length() > max)
            {
                problems.add(p, "must be " + min + " to " + max + " characters");
                return null;
            }
            if (s.indexOf('\0') >= 0)
            {
                problems.add(p, "must not contain NUL");
                return null;
            }
            return s;
        }

        String id(final Map<?, ?> m, final String path, final String name, final String prefix)
        {
            final String s = string(m, path, name, true, 1, 64);
            if (s != null && !isId(prefix, s))
            {
                problems.add(join(path, name), "must be " + prefix + " followed by a lowercase ULID");
                return null;
            }
            return s;
        }

        String hex(final Map<?, ?> m, final String path, final String name, final int length)
        {
            final String s = string(m, path, name, false, length, length);
            if (s != null && !s.matches("[0-9a-fA-F]+"))
            {
                problems.add(join(path, name), "must be " + length + " hex digits");
                return null;
            }
            return s == null ? null : s.toLowerCase(Locale.ROOT);
        }

        String number(final Map<?, ?> m, final String path, final String name, final boolean required)
        {
            final String s = string(m, path, name, required, 1, 32);
            if (s == null)
            {
                return null;
            }
            final String digits = E164.digits(s);
            if (digits == null || !E164.isPstn(digits))
            {
                problems.add(join(path, name), "must be an E.164 number like +12025550123");
                return null;
            }
            return digits;
        }

        String zone(final Map<?, ?> m, final String path, final String name, final String dflt)
        {
            final String s = string(m, path, name, false, 1, 64);
            if (s == null)
            {
                return dflt;
            }
            try
            {
                return ZoneId.of(s).getId();
            }
            catch (final DateTimeException e)
            {
                problems.add(join(path, name), "unknown time zone");
                return dflt;
            }
        }

        long integer(final Map<?, ?> m, final String path, final String name, final boolean required, final long dflt,
            final long min, final long max)
        {
            final Object v = m.get(name);
            final String p = join(path, name);
            if (v == null)
            {
                if (required)
                {
                    problems.add(p, "is required");
                }
                return dflt;
            }
            final long value;
            if (v instanceof Long l)
            {
                value = l;
            }
            else if (v instanceof BigDecimal d && d.stripTrailingZeros().scale() <= 0)
            {
                value = d.longValue();
            }
            else
            {
                problems.add(p, "must be an integer");
                return dflt;
            }
            if (value < min || value > max)
            {
                problems.add(p, "must be between " + min + " and " + max);
                return dflt;
            }
            return value;
        }

        boolean bool(final Map<?, ?> m, final String path, final String name, final boolean dflt)
        {
            final Object v = m.get(name);
            if (v == null)
            {
                return dflt;
            }
            if (!(v instanceof Boolean b))
            {
                problems.add(join(path, name), "must be true or false");
                return dflt;
            }
            return b;
        }

        private static String join(final String path, final String name)
        {
            return path.isEmpty() ? name : path + "." + name;
        }
    }
}
