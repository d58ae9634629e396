package dev.edgeplane.persistence.config;

import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

import javax.sql.DataSource;

import dev.edgeplane.codec.DecodeException;
import dev.edgeplane.codec.Json;
import dev.edgeplane.codec.Problems;
import dev.edgeplane.persistence.ErrorSummary;

/**
 * Control-plane configuration in PostgreSQL (tables of {@code V2__control_plane_config.sql}): accounts and their
 * devices, DIDs, schedules, flows, trunks, queues and agents, written a whole account at a time and read back into the
 * {@link AccountConfig} records.
 *
 * <p>{@link #apply} is the one writer (docs/SPEC-control-plane.md, "Configuration"): a document is checked as a whole
 * ({@link ConfigValidator}, then ownership of domains, DIDs and device ids against the accounts already stored) and
 * either applied in one transaction or refused with every problem listed, changing nothing. Applies are serialised by
 * a transaction-scoped advisory lock, so two concurrent documents that claim the same DID cannot both win. Each applied
 * account is announced with {@code NOTIFY} {@value #NOTIFY_CHANNEL} (payload: the account id), delivered at commit;
 * {@link ConfigChangeListener} turns that into cache refreshes.
 *
 * <p>Reads see one consistent snapshot (a read-only {@code REPEATABLE READ} transaction), so an account is never half
 * old and half new. Lists come back in document order.
 *
 * <p>Threading: thread-safe and blocking (JDBC on a pooled connection per call): call it from a thread that may block,
 * never from an event loop. Database failures are {@link ConfigStoreException}s; document problems are data in the
 * {@link ApplyResult}. HA1 values are never logged or put into messages.
 */
public final class ConfigRepository
{
    /** The {@code LISTEN}/{@code NOTIFY} channel announcing applied accounts; the payload is the account id. */
    public static final String NOTIFY_CHANNEL = "edgeplane_config";

    /** Key of the transaction-scoped advisory lock that serialises applies ("edgecfg" in ASCII, plus a version). */
    public static final long APPLY_LOCK_KEY = 0x6564_6765_6366_6701L;

    private static final String LOCK = "SELECT pg_advisory_xact_lock(?)";
    private static final String DOMAIN_OWNERS =
        "SELECT id, lower(domain) FROM accounts WHERE lower(domain) = ANY(?) AND NOT (id = ANY(?))";
    private static final String DID_OWNERS =
        "SELECT number, account_id FROM dids WHERE number = ANY(?) AND NOT (account_id = ANY(?))";
    private static final String DEVICE_OWNERS =
        "SELECT id, account_id FROM devices WHERE id = ANY(?) AND NOT (account_id = ANY(?))";
    private static final String UPSERT_ACCOUNT =
        "INSERT INTO accounts (id, name, domain, max_channels, timezone, country, version, updated_at) " +
        "VALUES (?, ?, ?, ?, ?, ?, 1, now()) " +
        "ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, domain = EXCLUDED.domain, " +
        "max_channels = EXCLUDED.max_channels, timezone = EXCLUDED.timezone, country = EXCLUDED.country, " +
        "version = accounts.version + 1, updated_at = now() " +
        "RETURNING version";
    private static final List<String> CHILD_TABLES =
        List.of("devices", "dids", "schedules", "flows", "trunks", "queues", "agents");
    private static final String INSERT_DEVICE =
        "INSERT INTO devices (id, account_id, position, username, ha1_md5, ha1_sha256, enabled) " +
        "VALUES (?, ?, ?, ?, ?, ?, ?)";
    private static final String INSERT_DID =
        "INSERT INTO dids (number, account_id, position, target_type, target_value, schedule_id, after_hours_type, " +
        "after_hours_value) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String INSERT_SCHEDULE =
        "INSERT INTO schedules (account_id, id, position, timezone, weekly, holidays) " +
        "VALUES (?, ?, ?, ?, CAST(? AS jsonb), CAST(? AS jsonb))";
    private static final String INSERT_FLOW =
        "INSERT INTO flows (account_id, id, position, name, definition) VALUES (?, ?, ?, ?, CAST(? AS jsonb))";
    private static final String INSERT_TRUNK =
        "INSERT INTO trunks (account_id, id, position, prefixes, uri) VALUES (?, ?, ?, ?, ?)";
    private static final String INSERT_QUEUE =
        "INSERT INTO queues (account_id, id, position, name, strategy, ring_timeout_s, wrapup_s, max_wait_s) " +
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String INSERT_AGENT =
        "INSERT INTO agents (account_id, user_id, position, device, queues) VALUES (?, ?, ?, ?, ?)";
    private static final String NOTIFY = "SELECT pg_notify('" + NOTIFY_CHANNEL + "', ?)";

    private static final String SELECT_ACCOUNTS =
        "SELECT id, name, domain, max_channels, timezone, country, version FROM accounts";
    private static final String SELECT_DEVICES =
        "SELECT account_id, id, username, ha1_md5, ha1_sha256, enabled FROM devices";
    private static final String SELECT_DIDS =
        "SELECT account_id, number, target_type, target_value, schedule_id, after_hours_type, after_hours_value " +
        "FROM dids";
    private static final String SELECT_SCHEDULES =
        "SELECT account_id, id, timezone, weekly::text, holidays::text FROM schedules";
    private static final String SELECT_FLOWS = "SELECT account_id, id, name, definition::text FROM flows";
    private static final String SELECT_TRUNKS = "SELECT account_id, id, prefixes, uri FROM trunks";
    private static final String SELECT_QUEUES =
        "SELECT account_id, id, name, strategy, ring_timeout_s, wrapup_s, max_wait_s FROM queues";
    private static final String SELECT_AGENTS = "SELECT account_id, user_id, device, queues FROM agents";

    /** How a schedule window reaching the end of the day is written ({@link LocalTime#MAX}). */
    private static final String END_OF_DAY = "24:00";

    private final DataSource dataSource;

    /**
     * @param ds the pool, typically {@code Database.dataSource()} (the schema must be migrated).
     */
    public ConfigRepository(final DataSource ds)
    {
        this.dataSource = Objects.requireNonNull(ds, "ds");
    }

    /**
     * Replace the configuration of every account in {@code accounts}, all or nothing. For each account the row is
     * upserted ({@code version} = old version + 1, or 1 for a new account) and its children are deleted and inserted
     * from the document; accounts not named are untouched.
     *
     * <p>Refused as a whole, with problems at document paths, when the document is invalid (see
     * {@link ConfigValidator}), when a DID or device id in it belongs to an account not being replaced
     * ({@code "DID +12025550123 belongs to account acc_…"}), or when its domain is used by such an account (compared
     * ignoring ASCII case). DIDs, device ids and domains may move between accounts that are replaced together.
     *
     * @param accounts the document's accounts; an empty list applies nothing and succeeds.
     * @return applied with the new versions, or not applied with the problems.
     * @throws ConfigStoreException if PostgreSQL fails; nothing was changed.
     */
    public ApplyResult apply(final List<AccountConfig> accounts)
    {
        Objects.requireNonNull(accounts, "accounts");
        final Problems problems = new Problems();
        ConfigValidator.validate(accounts, problems);
        if (!problems.isEmpty())
        {
            return new ApplyResult(false, problems, Map.of());
        }
        if (accounts.isEmpty())
        {
            return new ApplyResult(true, problems, Map.of());
        }

        try (Connection connection = dataSource.getConnection())
        {
            connection.setAutoCommit(false);
            try
            {
                final Map<String, Long> versions = applyInTransaction(connection, accounts, problems);
                if (null == versions)
                {
                    connection.rollback();
                    return new ApplyResult(false, problems, Map.of());
                }
                connection.commit();
                return new ApplyResult(true, problems, versions);
            }
            catch (final SQLException | RuntimeException ex)
            {
                rollbackQuietly(connection, ex);
                throw ex;
            }
        }
        catch (final SQLException ex)
        {
            throw new ConfigStoreException("applying configuration failed: " + ErrorSummary.of(ex), ex);
        }
    }

    /**
     * @return every account, ordered by id, from one consistent snapshot.
     * @throws ConfigStoreException if PostgreSQL fails.
     */
    public List<AccountConfig> loadAll()
    {
        return read(null);
    }

    /**
     * @param accountId an account id (as a client sent it: one holding U+0000 simply names no account).
     * @return that account, or empty if there is none.
     * @throws ConfigStoreException if PostgreSQL fails.
     */
    public Optional<AccountConfig> load(final String accountId)
    {
        Objects.requireNonNull(accountId, "accountId");
        if (accountId.indexOf('\0') >= 0)
        {
            return Optional.empty();
        }
        final List<AccountConfig> accounts = read(accountId);
        return accounts.isEmpty() ? Optional.empty() : Optional.of(accounts.get(0));
    }

    /**
     * @return the new version per account id, or null if ownership checks recorded problems.
     */
    private static Map<String, Long> applyInTransaction(
        final Connection connection, final List<AccountConfig> accounts, final Problems problems) throws SQLException
    {
        try (PreparedStatement lock = connection.prepareStatement(LOCK))
        {
            lock.setLong(1, APPLY_LOCK_KEY);
            lock.executeQuery().close();
        }

        final String[] accountIds = new String[accounts.size()];
        final String[] domains = new String[accounts.size()];
        final List<String> numbers = new ArrayList<>();
        final List<String> deviceIds = new ArrayList<>();
        for (int i = 0; i < accounts.size(); i++)
        {
            final AccountConfig account = accounts.get(i);
            accountIds[i] = account.id();
            domains[i] = account.domain().toLowerCase(Locale.ROOT);
            for (final DidConfig did : account.dids())
            {
                numbers.add(did.number());
            }
            for (final DeviceConfig device : account.devices())
            {
                deviceIds.add(device.id());
            }
        }

        final Array idArray = connection.createArrayOf("text", accountIds);
        final Map<String, String> domainOwners = owners(connection, DOMAIN_OWNERS, domains, idArray, true);
        final Map<String, String> didOwners =
            owners(connection, DID_OWNERS, numbers.toArray(new String[0]), idArray, false);
        final Map<String, String> deviceOwners =
            owners(connection, DEVICE_OWNERS, deviceIds.toArray(new String[0]), idArray, false);
        for (int i = 0; i < accounts.size(); i++)
        {
            final AccountConfig account = accounts.get(i);
            final String path = "accounts[" + i + "]";
            final String domainOwner = domainOwners.get(domains[i]);
            if (null != domainOwner)
            {
                problems.add(path + ".domain", "domain " + account.domain() + " belongs to account " + domainOwner);
            }
            for (int j = 0; j < account.devices().size(); j++)
            {
                final String id = account.devices().get(j).id();
                final String owner = deviceOwners.get(id);
                if (null != owner)
                {
                    problems.add(path + ".devices[" + j + "].id", "device " + id + " belongs to account " + owner);
                }
            }
            for (int j = 0; j < account.dids().size(); j++)
            {
                final String number = account.dids().get(j).number();
                final String owner = didOwners.get(number);
                if (null != owner)
                {
                    problems.add(path + ".dids[" + j + "].number", "DID +" + number + " belongs to account " + owner);
                }
            }
        }
        if (!problems.isEmpty())
        {
            return null;
        }

        final Map<String, Long> versions = new LinkedHashMap<>();
        try (PreparedStatement upsert = connection.prepareStatement(UPSERT_ACCOUNT))
        {
            for (final AccountConfig account : accounts)
            {
                upsert.setString(1, account.id());
                upsert.setString(2, account.name());
                upsert.setString(3, account.domain());
                upsert.setInt(4, account.maxChannels());
                upsert.setString(5, account.timezone());
                upsert.setString(6, account.country());
                try (ResultSet row = upsert.executeQuery())
                {
                    row.next();
                    versions.put(account.id(), row.getLong(1));
                }
            }
        }

        for (final String table : CHILD_TABLES)
        {
            try (PreparedStatement delete =
                connection.prepareStatement("DELETE FROM " + table + " WHERE account_id = ANY(?)"))
            {
                delete.setArray(1, idArray);
                delete.executeUpdate();
            }
        }

        insertChildren(connection, accounts);

        try (PreparedStatement notify = connection.prepareStatement(NOTIFY))
        {
            for (final AccountConfig account : accounts)
            {
                notify.setString(1, account.id());
                notify.executeQuery().close();
            }
        }
        return versions;
    }

    /**
     * @return key to owning account id, for keys owned by accounts outside {@code accountIds}.
     */
    private static Map<String, String> owners(
        final Connection connection,
        final String sql,
        final String[] keys,
        final Array accountIds,
        final boolean ownerFirst) throws SQLException
    {
        final Map<String, String> owners = new HashMap<>();
        if (keys.length == 0)
        {
            return owners;
        }
        try (PreparedStatement select = connection.prepareStatement(sql))
        {
            select.setArray(1, connection.createArrayOf("text", keys));
            select.setArray(2, accountIds);
            try (ResultSet rows = select.executeQuery())
            {
                while (rows.next())
                {
                    if (ownerFirst)
                    {
                        owners.put(rows.getString(2), rows.getString(1));
                    }
                    else
                    {
                        owners.put(rows.getString(1), rows.getString(2));
                    }
                }
            }
        }
        return owners;
    }

    private static void insertChildren(final Connection connection, final List<AccountConfig> accounts)
        throws SQLException
    {
        try (PreparedStatement devices = connection.prepareStatement(INSERT_DEVICE);
            PreparedStatement dids = connection.prepareStatement(INSERT_DID);
            PreparedStatement schedules = connection.prepareStatement(INSERT_SCHEDULE);
            PreparedStatement flows = connection.prepareStatement(INSERT_FLOW);
            PreparedStatement trunks = connection.prepareStatement(INSERT_TRUNK);
            PreparedStatement queues = connection.prepareStatement(INSERT_QUEUE);
            PreparedStatement agents = connection.prepareStatement(INSERT_AGENT))
        {
            for (final AccountConfig account : accounts)
            {
                final String accountId = account.id();
                for (int i = 0; i < account.devices().size(); i++)
                {
                    final DeviceConfig device = account.devices().get(i);
                    devices.setString(1, device.id());
                    devices.setString(2, accountId);
                    devices.setInt(3, i);
                    devices.setString(4, device.username());
                    devices.setString(5, device.ha1Md5());
                    devices.setString(6, device.ha1Sha256());
                    devices.setBoolean(7, device.enabled());
                    devices.addBatch();
                }
                for (int i = 0; i < account.dids().size(); i++)
                {
                    final DidConfig did = account.dids().get(i);
                    dids.setString(1, did.number());
                    dids.setString(2, accountId);
                    dids.setInt(3, i);
                    dids.setString(4, did.target().kind().wireName());
                    dids.setString(5, did.target().value());
                    dids.setString(6, did.scheduleId());
                    dids.setString(7, null == did.afterHours() ? null : did.afterHours().kind().wireName());
                    dids.setString(8, null == did.afterHours() ? null : did.afterHours().value());
                    dids.addBatch();
                }
                for (int i = 0; i < account.schedules().size(); i++)
                {
                    final ScheduleConfig schedule = account.schedules().get(i);
                    schedules.setString(1, accountId);
                    schedules.setString(2, schedule.id());
                    schedules.setInt(3, i);
                    schedules.setString(4, schedule.timezone());
                    schedules.setString(5, weeklyJson(schedule.weekly()));
                    schedules.setString(6, holidaysJson(schedule.holidays()));
                    schedules.addBatch();
                }
                for (int i = 0; i < account.flows().size(); i++)
                {
                    final FlowConfig flow = account.flows().get(i);
                    flows.setString(1, accountId);
                    flows.setString(2, flow.id());
                    flows.setInt(3, i);
                    flows.setString(4, flow.name());
                    flows.setString(5, flow.definitionJson());
                    flows.addBatch();
                }
                for (int i = 0; i < account.trunks().size(); i++)
                {
                    final TrunkConfig trunk = account.trunks().get(i);
                    trunks.setString(1, accountId);
                    trunks.setString(2, trunk.id());
                    trunks.setInt(3, i);
                    trunks.setArray(4, connection.createArrayOf("text", trunk.prefixes().toArray(new String[0])));
                    trunks.setString(5, trunk.uri());
                    trunks.addBatch();
                }
                for (int i = 0; i < account.queues().size(); i++)
                {
                    final QueueConfig queue = account.queues().get(i);
                    queues.setString(1, accountId);
                    queues.setString(2, queue.id());
                    queues.setInt(3, i);
                    queues.setString(4, queue.name());
                    queues.setString(5, queue.strategy());
                    queues.setInt(6, queue.ringTimeoutS());
                    queues.setInt(7, queue.wrapupS());
                    queues.setInt(8, queue.maxWaitS());
                    queues.addBatch();
                }
                for (int i = 0; i < account.agents().size(); i++)
                {
                    final AgentConfig agent = account.agents().get(i);
                    agents.setString(1, accountId);
                    agents.setString(2, agent.userId());
                    agents.setInt(3, i);
                    agents.setString(4, agent.device());
                    agents.setArray(5, connection.createArrayOf("text", agent.queues().toArray(new String[0])));
                    agents.addBatch();
                }
            }
            devices.executeBatch();
            dids.executeBatch();
            schedules.executeBatch();
            flows.executeBatch();
            trunks.executeBatch();
            queues.executeBatch();
            agents.executeBatch();
        }
    }

    private List<AccountConfig> read(final String accountId)
    {
        try (Connection connection = dataSource.getConnection())
        {
            connection.setAutoCommit(false);
            try
            {
                try (Statement statement = connection.createStatement())
                {
                    // The driver has just sent BEGIN: this sets the transaction's mode, no session state is left.
                    statement.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                }
                final List<AccountConfig> accounts = readInTransaction(connection, accountId);
                connection.commit();
                return accounts;
            }
            catch (final SQLException | RuntimeException ex)
            {
                rollbackQuietly(connection, ex);
                throw ex;
            }
        }
        catch (final SQLException ex)
        {
            throw new ConfigStoreException("loading configuration failed: " + ErrorSummary.of(ex), ex);
        }
    }

    private static List<AccountConfig> readInTransaction(final Connection connection, final String accountId)
        throws SQLException
    {
        final Map<String, AccountConfig> rows = new LinkedHashMap<>();
        try (PreparedStatement select =
            connection.prepareStatement(SELECT_ACCOUNTS + (null == accountId ? "" : " WHERE id = ?") + " ORDER BY id"))
        {
            if (null != accountId)
            {
                select.setString(1, accountId);
            }
            try (ResultSet rs = select.executeQuery())
            {
                while (rs.next())
                {
                    rows.put(rs.getString(1), new AccountConfig(rs.getString(1), rs.getString(2), rs.getString(3),
                        rs.getInt(4), rs.getString(5), rs.getString(6), rs.getLong(7),
                        null, null, null, null, null, null, null));
                }
            }
        }
        if (rows.isEmpty())
        {
            return List.of();
        }

        final Map<String, List<DeviceConfig>> devices = children(connection, SELECT_DEVICES, accountId, rs ->
            new DeviceConfig(rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getBoolean(6)));
        final Map<String, List<DidConfig>> dids = children(connection, SELECT_DIDS, accountId, rs ->
            new DidConfig(rs.getString(2), target(rs.getString(3), rs.getString(4)), rs.getString(5),
                target(rs.getString(6), rs.getString(7))));
        final Map<String, List<ScheduleConfig>> schedules = children(connection, SELECT_SCHEDULES, accountId, rs ->
            new ScheduleConfig(rs.getString(2), rs.getString(3), parseWeekly(rs.getString(4), rs.getString(2)),
                parseHolidays(rs.getString(5), rs.getString(2))));
        final Map<String, List<FlowConfig>> flows = children(connection, SELECT_FLOWS, accountId, rs ->
            new FlowConfig(rs.getString(2), rs.getString(3), rs.getString(4)));
        final Map<String, List<TrunkConfig>> trunks = children(connection, SELECT_TRUNKS, accountId, rs ->
            new TrunkConfig(rs.getString(2), strings(rs.getArray(3)), rs.getString(4)));
        final Map<String, List<QueueConfig>> queues = children(connection, SELECT_QUEUES, accountId, rs ->
            new QueueConfig(rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5), rs.getInt(6),
                rs.getInt(7)));
        final Map<String, List<AgentConfig>> agents = children(connection, SELECT_AGENTS, accountId, rs ->
            new AgentConfig(rs.getString(2), rs.getString(3), strings(rs.getArray(4))));

        final List<AccountConfig> accounts = new ArrayList<>(rows.size());
        for (final AccountConfig row : rows.values())
        {
            final String id = row.id();
            accounts.add(new AccountConfig(row.id(), row.name(), row.domain(), row.maxChannels(), row.timezone(),
                row.country(), row.version(),
                devices.get(id), dids.get(id), schedules.get(id), flows.get(id), trunks.get(id), queues.get(id),
                agents.get(id)));
        }
        return accounts;
    }

    /**
     * A row mapper that may throw {@link SQLException}.
     */
    @FunctionalInterface
    private interface RowMapper<T>
    {
        T map(ResultSet rs) throws SQLException;
    }

    /**
     * @return account id to its rows of one child table, in position order.
     */
    private static <T> Map<String, List<T>> children(
        final Connection connection, final String select, final String accountId, final RowMapper<T> mapper)
        throws SQLException
    {
        final Map<String, List<T>> byAccount = new HashMap<>();
        final Function<String, List<T>> newList = key -> new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(
            select + (null == accountId ? "" : " WHERE account_id = ?") + " ORDER BY account_id, position"))
        {
            if (null != accountId)
            {
                statement.setString(1, accountId);
            }
            try (ResultSet rs = statement.executeQuery())
            {
                while (rs.next())
                {
                    byAccount.computeIfAbsent(rs.getString(1), newList).add(mapper.map(rs));
                }
            }
        }
        return byAccount;
    }

    private static Target target(final String type, final String value)
    {
        if (null == type)
        {
            return null;
        }
        final Target.Kind kind = Target.Kind.parse(type);
        if (null == kind)
        {
            throw new ConfigStoreException("stored target type '" + type + "' is unknown", null);
        }
        return new Target(kind, value);
    }

    private static List<String> strings(final Array array) throws SQLException
    {
        if (null == array)
        {
            return List.of();
        }
        final Object[] values = (Object[])array.getArray();
        final List<String> strings = new ArrayList<>(values.length);
        for (final Object value : values)
        {
            strings.add((String)value);
        }
        return strings;
    }

    /**
     * {@code {"mon":[["09:00","17:00"]],…}} with days in week order; a window ending at {@link LocalTime#MAX} ends at
     * {@code "24:00"}; other times are ISO local times ({@code 09:00}, {@code 09:00:30}), so they read back equal.
     */
    static String weeklyJson(final Map<DayOfWeek, List<TimeWindow>> weekly)
    {
        final Map<String, Object> tree = new LinkedHashMap<>();
        for (final Map.Entry<DayOfWeek, List<TimeWindow>> day : weekly.entrySet())
        {
            final List<Object> windows = new ArrayList<>(day.getValue().size());
            for (final TimeWindow window : day.getValue())
            {
                windows.add(List.of(formatTime(window.start()), formatTime(window.end())));
            }
            tree.put(ConfigValidator.DAY_NAMES.get(day.getKey().ordinal()), windows);
        }
        return new String(Json.write(tree), StandardCharsets.UTF_8);
    }

    static String holidaysJson(final Set<LocalDate> holidays)
    {
        final List<Object> dates = new ArrayList<>(holidays.size());
        for (final LocalDate date : new TreeSet<>(holidays))
        {
            dates.add(date.toString());
        }
        return new String(Json.write(dates), StandardCharsets.UTF_8);
    }

    static Map<DayOfWeek, List<TimeWindow>> parseWeekly(final String json, final String scheduleId)
    {
        try
        {
            final Map<?, ?> days = (Map<?, ?>)parseJson(json);
            final Map<DayOfWeek, List<TimeWindow>> weekly = new EnumMap<>(DayOfWeek.class);
            for (final Map.Entry<?, ?> day : days.entrySet())
            {
                final int index = ConfigValidator.DAY_NAMES.indexOf((String)day.getKey());
                if (index < 0)
                {
                    throw new IllegalArgumentException("unknown day " + day.getKey());
                }
                final List<TimeWindow> windows = new ArrayList<>();
                for (final Object window : (List<?>)day.getValue())
                {
                    final List<?> bounds = (List<?>)window;
                    windows.add(new TimeWindow(parseTime((String)bounds.get(0)), parseTime((String)bounds.get(1))));
                }
                weekly.put(DayOfWeek.values()[index], windows);
            }
            return weekly;
        }
        catch (final ClassCastException | IndexOutOfBoundsException | IllegalArgumentException |
            DateTimeException | NullPointerException ex)
        {
            throw new ConfigStoreException("schedule " + scheduleId + " has a malformed weekly column", ex);
        }
    }

    static Set<LocalDate> parseHolidays(final String json, final String scheduleId)
    {
        try
        {
            final Set<LocalDate> dates = new TreeSet<>();
            for (final Object date : (List<?>)parseJson(json))
            {
                dates.add(LocalDate.parse((String)date));
            }
            return dates;
        }
        catch (final ClassCastException | IllegalArgumentException | DateTimeException | NullPointerException ex)
        {
            throw new ConfigStoreException("schedule " + scheduleId + " has a malformed holidays column", ex);
        }
    }

    private static Object parseJson(final String json)
    {
        final byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        try
        {
            return Json.parse(bytes, 0, bytes.length);
        }
        catch (final DecodeException ex)
        {
            throw new IllegalArgumentException("not JSON", ex);
        }
    }

    private static String formatTime(final LocalTime time)
    {
        return LocalTime.MAX.equals(time) ? END_OF_DAY : time.toString();
    }

    private static LocalTime parseTime(final String text)
    {
        return END_OF_DAY.equals(text) ? LocalTime.MAX : LocalTime.parse(text);
    }

    private static void rollbackQuietly(final Connection connection, final Exception failure)
    {
        try
        {
            connection.rollback();
        }
        catch (final SQLException ex)
        {
            failure.addSuppressed(ex);
        }
    }
}
