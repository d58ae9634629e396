package dev.edgeplane.persistence.config;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.DayOfWeek;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.edgeplane.codec.Problems;
import dev.edgeplane.persistence.Database;
import dev.edgeplane.persistence.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static dev.edgeplane.persistence.config.ConfigFixtures.device;
import static dev.edgeplane.persistence.config.ConfigFixtures.fullAccount;
import static dev.edgeplane.persistence.config.ConfigFixtures.minimalAccount;
import static dev.edgeplane.persistence.config.ScheduleConfigTest.window;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigRepositoryTest
{
    private static Database database;
    private static ConfigRepository repository;

    @BeforeAll
    static void openDatabase()
    {
        database = Database.open(TestPostgres.freshDatabase("config_repository_test"));
        repository = new ConfigRepository(database.dataSource());
    }

    @AfterAll
    static void closeDatabase()
    {
        database.close();
    }

    @BeforeEach
    void emptyTables() throws SQLException
    {
        try (Connection connection = database.dataSource().getConnection();
            PreparedStatement delete = connection.prepareStatement("DELETE FROM accounts"))
        {
            delete.executeUpdate();
        }
    }

    @Test
    void shouldReadBackEveryFieldOfAppliedAccounts()
    {
        final AccountConfig acme = fullAccount("acc_acme", "acme.sip.io", "12025550123");
        final AccountConfig zeta = fullAccount("acc_zeta", "zeta.sip.io", "12025550200");

        final ApplyResult result = repository.apply(List.of(zeta, acme));

        assertTrue(result.applied(), result.problems()::toString);
        assertTrue(result.problems().isEmpty());
        assertEquals(Map.of("acc_zeta", 1L, "acc_acme", 1L), result.versions());
        assertEquals(List.of("acc_zeta", "acc_acme"), List.copyOf(result.versions().keySet()));
        assertEquals(List.of(acme.withVersion(1), zeta.withVersion(1)), repository.loadAll());
        assertEquals(Optional.of(zeta.withVersion(1)), repository.load("acc_zeta"));
        assertEquals(Optional.empty(), repository.load("acc_missing"));
        assertEquals(Optional.empty(), repository.load("acc_\u0000"));
    }

    @Test
    void shouldStoreFlowDefinitionsInTheFormJsonbGivesBack() throws SQLException
    {
        final AccountConfig acme = fullAccount("acc_acme", "acme.sip.io", "12025550123");
        assertTrue(repository.apply(List.of(acme)).applied());

        final FlowConfig odd = repository.load("acc_acme").orElseThrow().flows().get(1);

        assertEquals("{\"a\":\"line\\nbreak \u00e9 / \\\"q\\\"\",\"bb\":[]," +
            "\"zz\":[100,1.50,0,12345678901234567890,true,null],\"\u00e9\":{}}", odd.definitionJson());
        assertEquals(acme.flows().get(1), odd);
        // That is jsonb's own key order and number spelling, less the spaces jsonb prints.
        assertEquals("{\"a\": \"line\\nbreak \u00e9 / \\\"q\\\"\", \"bb\": [], " +
            "\"zz\": [100, 1.50, 0, 12345678901234567890, true, null], \"\u00e9\": {}}",
            text("SELECT definition::text FROM flows WHERE account_id = 'acc_acme' AND id = 'flow_odd'"));
        // PostgreSQL agrees that the stored value is the one applied.
        try (Connection connection = database.dataSource().getConnection();
            PreparedStatement select = connection.prepareStatement(
                "SELECT definition = CAST(? AS jsonb) FROM flows WHERE account_id = 'acc_acme' AND id = 'flow_odd'"))
        {
            select.setString(1, odd.definitionJson());
            try (ResultSet row = select.executeQuery())
            {
                assertTrue(row.next());
                assertTrue(row.getBoolean(1));
            }
        }
    }

    @Test
    void shouldBumpVersionAndReplaceChildrenOnReapply() throws SQLException
    {
        final AccountConfig first = fullAccount("acc_acme", "acme.sip.io", "12025550123");
        assertTrue(repository.apply(List.of(first)).applied());

        final AccountConfig second = new AccountConfig(first.id(), "Acme Two", "acme2.sip.io", 20, "Europe/Berlin",
            "DE", 0,
            List.of(first.devices().get(0)),
            List.of(new DidConfig("12025550124", new Target(Target.Kind.DEVICE, "1002"), null, null)),
            List.of(new ScheduleConfig("sch_new", "UTC", Map.of(), Set.of())),
            List.of(),
            List.of(new TrunkConfig("trk_us", List.of("44"), "sip:uk.example.net")),
            List.of(),
            List.of(new AgentConfig("usr_2", "1002", List.of())));
        final ApplyResult result = repository.apply(List.of(second));

        assertTrue(result.applied(), result.problems()::toString);
        assertEquals(Map.of("acc_acme", 2L), result.versions());
        assertEquals(List.of(second.withVersion(2)), repository.loadAll());
        assertEquals(1, count("SELECT count(*) FROM devices"));
        assertEquals(0, count("SELECT count(*) FROM devices WHERE id = 'dev_acc_acme_a'"));
        assertEquals(0, count("SELECT count(*) FROM dids WHERE number = '12025550123'"));

        assertTrue(repository.apply(List.of(second)).applied());
        assertEquals(3L, repository.load("acc_acme").orElseThrow().version());
    }

    @Test
    void shouldLeaveAccountsNotNamedUntouched()
    {
        final AccountConfig acme = fullAccount("acc_acme", "acme.sip.io", "12025550123");
        final AccountConfig zeta = fullAccount("acc_zeta", "zeta.sip.io", "12025550200");
        assertTrue(repository.apply(List.of(acme, zeta)).applied());

        final AccountConfig newAcme = minimalAccount("acc_acme", "acme.sip.io", List.of("12025550300"));
        final ApplyResult result = repository.apply(List.of(newAcme));

        assertTrue(result.applied(), result.problems()::toString);
        assertEquals(List.of(newAcme.withVersion(2), zeta.withVersion(1)), repository.loadAll());
    }

    @Test
    void shouldRefuseDidOwnedByAnotherAccountAndChangeNothing()
    {
        final AccountConfig acme = minimalAccount("acc_acme", "acme.sip.io", List.of("12025550123"));
        assertTrue(repository.apply(List.of(acme)).applied());
        final List<AccountConfig> before = repository.loadAll();

        final AccountConfig zeta = minimalAccount("acc_zeta", "zeta.sip.io", List.of("12025550999", "12025550123"));
        final AccountConfig other = minimalAccount("acc_other", "other.sip.io", List.of("12025550777"));
        final ApplyResult result = repository.apply(List.of(other, zeta));

        assertFalse(result.applied());
        assertEquals(Map.of(), result.versions());
        assertEquals(1, result.problems().size(), result.problems()::toString);
        assertEquals("accounts[1].dids[1].number", result.problems().path(0));
        assertEquals("DID +12025550123 belongs to account acc_acme", result.problems().message(0));
        assertEquals(before, repository.loadAll());
    }

    @Test
    void shouldRefuseDomainOrDeviceOfAnotherAccountIgnoringCase()
    {
        assertTrue(repository.apply(List.of(minimalAccount("acc_acme", "acme.sip.io", List.of()))).applied());
        final List<AccountConfig> before = repository.loadAll();

        final AccountConfig zeta = new AccountConfig("acc_zeta", "Zeta", "ACME.sip.io", 1, null, null, 0,
            List.of(device("dev_acc_acme", "2001", "x", "pw", true)),
            null, null, null, null, null, null);
        final ApplyResult result = repository.apply(List.of(zeta));

        assertFalse(result.applied());
        assertEquals(2, result.problems().size(), result.problems()::toString);
        assertEquals("accounts[0].domain", result.problems().path(0));
        assertEquals("domain ACME.sip.io belongs to account acc_acme", result.problems().message(0));
        assertEquals("accounts[0].devices[0].id", result.problems().path(1));
        assertEquals("device dev_acc_acme belongs to account acc_acme", result.problems().message(1));
        assertEquals(before, repository.loadAll());
    }

    @Test
    void shouldMoveDidsAndSwapDomainsBetweenAccountsAppliedTogether()
    {
        final AccountConfig acme = minimalAccount("acc_acme", "acme.sip.io", List.of("12025550123"));
        final AccountConfig zeta = minimalAccount("acc_zeta", "zeta.sip.io", List.of("12025550200"));
        assertTrue(repository.apply(List.of(acme, zeta)).applied());

        final AccountConfig acmeAfter = minimalAccount("acc_acme", "zeta.sip.io", List.of("12025550200"));
        final AccountConfig zetaAfter = minimalAccount("acc_zeta", "acme.sip.io", List.of("12025550123"));
        final ApplyResult result = repository.apply(List.of(acmeAfter, zetaAfter));

        assertTrue(result.applied(), result.problems()::toString);
        assertEquals(List.of(acmeAfter.withVersion(2), zetaAfter.withVersion(2)), repository.loadAll());
    }

    @Test
    void shouldRefuseNulCharactersBeforeTheyReachPostgres() throws SQLException
    {
        final AccountConfig base = fullAccount("acc_acme", "acme.sip.io", "12025550123");
        final AccountConfig withNul = new AccountConfig(base.id(), "Ac\u0000me", base.domain(), base.maxChannels(),
            base.timezone(), base.country(), 0,
            List.of(new DeviceConfig("dev_1", "10\u000001", base.devices().get(0).ha1Md5(), null, true)),
            List.of(), List.of(),
            List.of(new FlowConfig("flow_1", null, "{\"say\":\"a\\u0000b\"}")),
            List.of(new TrunkConfig("trk_1", List.of("1"), "sip:gw\u0000.example.net")),
            List.of(), List.of());

        final ApplyResult result = repository.apply(List.of(withNul));

        assertFalse(result.applied());
        assertEquals(List.of(
            "accounts[0].name must not contain a NUL character",
            "accounts[0].devices[0].username must not contain a NUL character",
            "accounts[0].flows[0].definition must not contain a NUL character",
            "accounts[0].trunks[0].uri must not contain a NUL character"), lines(result.problems()));
        assertEquals(0, count("SELECT count(*) FROM accounts"));
    }

    @Test
    void shouldListEveryProblemOfAnInvalidDocument()
    {
        final AccountConfig bad = new AccountConfig("acc_bad", null, "bad.sip.io", -1, "Mars/Olympus", null, 0,
            List.of(
                new DeviceConfig("dev_1", "1001", "xyz", null, true),
                new DeviceConfig("dev_2", "1001", null, null, true)),
            List.of(
                new DidConfig("+12025550123", new Target(Target.Kind.FLOW, "flow_missing"), "sch_missing", null),
                new DidConfig("12025550124", new Target(Target.Kind.NUMBER, "+1415"), null,
                    new Target(null, "x")),
                new DidConfig("12025550124", new Target(Target.Kind.DEVICE, "1001"), null, null)),
            List.of(new ScheduleConfig("sch_1", "UTC",
                Map.of(DayOfWeek.MONDAY, List.of(window("17:00", "09:00"))), null)),
            List.of(new FlowConfig("flow_1", null, "[1,2]"), new FlowConfig("flow_2", null, "{oops")),
            List.of(new TrunkConfig("trk_1", List.of("+1"), "")),
            List.of(new QueueConfig("q_1", null, "fastest", -5, 0, 0)),
            List.of(new AgentConfig("usr_1", "9999", List.of("q_missing"))));

        final ApplyResult result = repository.apply(List.of(bad, minimalAccount("acc_bad", "BAD.sip.io", List.of())));

        assertFalse(result.applied());
        assertEquals(List.of(
            "accounts[0].max_channels must not be negative",
            "accounts[0].timezone is not a known time zone",
            "accounts[0].devices[0].ha1_md5 must be 32 hex digits",
            "accounts[0].devices[1].username username 1001 is listed twice (first at accounts[0].devices[0].username)",
            "accounts[0].devices[1] needs ha1_md5 or ha1_sha256 (or a password)",
            "accounts[0].schedules[0].weekly.mon[0] must start before it ends",
            "accounts[0].flows[0].definition must be a JSON object",
            "accounts[0].flows[1].definition must be valid JSON",
            "accounts[0].trunks[0].prefixes[0] must be E.164 digits without '+'",
            "accounts[0].trunks[0].uri is required",
            "accounts[0].queues[0].strategy must be one of fewest_calls, longest_idle, random, ring_all, round_robin",
            "accounts[0].queues[0].ring_timeout_s must not be negative",
            "accounts[0].dids[0].number must be E.164 digits without '+'",
            "accounts[0].dids[0].target.id flow flow_missing is not defined in this account",
            "accounts[0].dids[0].schedule schedule sch_missing is not defined in this account",
            "accounts[0].dids[1].target.number must be E.164 digits without '+'",
            "accounts[0].dids[1].after_hours.type is required",
            "accounts[0].dids[2].number DID +12025550124 is listed twice (first at accounts[0].dids[1].number)",
            "accounts[0].agents[0].device device 9999 is not defined in this account",
            "accounts[0].agents[0].queues[0] queue q_missing is not defined in this account",
            "accounts[1].id account acc_bad is listed twice (first at accounts[0].id)",
            "accounts[1].domain domain BAD.sip.io is listed twice (first at accounts[0].domain)"),
            lines(result.problems()));
        assertEquals(List.of(), repository.loadAll());
    }

    @Test
    void shouldNeverShowHa1ValuesInProblemsOrToString()
    {
        final DeviceConfig device = new DeviceConfig("dev_1", "1001", "secret-ha1-md5", "secret-ha1-sha", true);
        final AccountConfig account = new AccountConfig("acc_1", null, "one.sip.io", 1, null, null, 0,
            List.of(device), null, null, null, null, null, null);

        final ApplyResult result = repository.apply(List.of(account));

        assertFalse(result.applied());
        assertFalse(result.problems().toString().contains("secret"), result.problems()::toString);
        assertFalse(account.toString().contains("secret"), account::toString);
    }

    @Test
    void shouldApplyNothingForAnEmptyDocument()
    {
        final ApplyResult result = repository.apply(List.of());

        assertTrue(result.applied());
        assertEquals(Map.of(), result.versions());
    }

    @Test
    void shouldLetOnlyOneOfTwoConcurrentDocumentsClaimADid() throws Exception
    {
        final int rounds = 10;
        final ExecutorService pool = Executors.newFixedThreadPool(2);
        try
        {
            for (int round = 0; round < rounds; round++)
            {
                emptyTables();
                final String did = "1202555" + String.format("%04d", round);
                final CountDownLatch go = new CountDownLatch(1);
                final List<Callable<ApplyResult>> tasks = new ArrayList<>();
                for (final String id : List.of("acc_left", "acc_right"))
                {
                    final AccountConfig account = minimalAccount(id, id + ".sip.io", List.of(did));
                    tasks.add(() ->
                    {
                        go.await();
                        return repository.apply(List.of(account));
                    });
                }
                final List<Future<ApplyResult>> futures = new ArrayList<>();
                for (final Callable<ApplyResult> task : tasks)
                {
                    futures.add(pool.submit(task));
                }
                go.countDown();

                int applied = 0;
                for (final Future<ApplyResult> future : futures)
                {
                    final ApplyResult result = future.get(30, TimeUnit.SECONDS);
                    if (result.applied())
                    {
                        applied++;
                    }
                    else
                    {
                        assertTrue(result.problems().message(0).startsWith("DID +" + did + " belongs to account acc_"),
                            result.problems()::toString);
                    }
                }
                assertEquals(1, applied);
                assertEquals(1, count("SELECT count(*) FROM dids"));
                assertEquals(1, count("SELECT count(*) FROM accounts"));
            }
        }
        finally
        {
            pool.shutdownNow();
        }
    }

    private static List<String> lines(final Problems problems)
    {
        final List<String> lines = new ArrayList<>();
        for (int i = 0; i < problems.size(); i++)
        {
            lines.add(problems.path(i) + " " + problems.message(i));
        }
        return lines;
    }

    private static String text(final String sql) throws SQLException
    {
        try (Connection connection = database.dataSource().getConnection();
            PreparedStatement select = connection.prepareStatement(sql);
            ResultSet row = select.executeQuery())
        {
            assertTrue(row.next());
            return row.getString(1);
        }
    }

    private static long count(final String sql) throws SQLException
    {
        try (Connection connection = database.dataSource().getConnection();
            PreparedStatement select = connection.prepareStatement(sql);
            ResultSet row = select.executeQuery())
        {
            row.next();
            return row.getLong(1);
        }
    }
}
