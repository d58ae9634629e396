package dev.edgeplane.controlplane;

import static dev.edgeplane.controlplane.ControlPlaneFixture.ACCOUNT;
import static dev.edgeplane.controlplane.ControlPlaneFixture.DOMAIN;
import static dev.edgeplane.controlplane.ControlPlaneFixture.FLOW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.edgeplane.codec.DigestAlgorithm;
import dev.edgeplane.persistence.testing.TestPostgres;
import dev.edgeplane.server.EdgeServer;
import dev.edgeplane.server.Exposition;
import dev.edgeplane.server.HttpMetrics;
import dev.edgeplane.server.Promtool;
import dev.edgeplane.server.SurfaceKind;
import dev.edgeplane.server.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /metrics} as Prometheus and an operator see it, on a live server after real traffic: one HELP and TYPE
 * per name, counters named {@code _total}, latency histogram buckets, JVM/process metrics and build info, the SIP
 * verdict counters (auth failures, bans, route decisions, CAC refusals, flow steps); {@code promtool check
 * metrics} on the scrape; and the Grafana dashboard and alert rules in {@code perf-config/} use only metrics
 * the scrape has ({@code promtool check rules} on the rules).
 */
class MetricsExpositionTest
{
    private static final Path DASHBOARD = Path.of("..", "perf-config", "grafana", "edgeplane-dashboard.json");
    private static final Path ALERTS = Path.of("..", "perf-config", "prometheus", "edgeplane-alerts.yml");
    /** Our metric names, the JVM client's and the process collector's: what a PromQL expression may refer to. */
    private static final Pattern METRIC_NAME = Pattern.compile("\\b(?:edgeplane|jvm|process)_[a-zA-Z0-9_:]*");

    @TempDir
    static Path dataDir;
    static EdgeServer server;
    static ControlPlaneFixture cp;
    static String text;
    static Exposition scrape;

    @BeforeAll
    static void startAndCall() throws Exception
    {
        server = TestServers.start(dataDir, TestPostgres.freshDatabaseUrl("metrics_exposition"), Map.of(
            "ADMIN_TOKEN", ControlPlaneFixture.ADMIN_TOKEN,
            ControlPlaneSettings.AUTH_MAX_FAILURES, "2"));
        cp = new ControlPlaneFixture(server.port(SurfaceKind.CONTROL_PLANE));
        cp.applyConfig(ControlPlaneFixture.document(1, ""));

        // Auth: one success, two failures from one address (the second earns a ban), then a banned attempt.
        assertEquals(200, cp.auth(ControlPlaneFixture.digest(DigestAlgorithm.MD5, "1001", "pw-1001", "n-1", "00000001", "c", "auth"),
            "192.0.2.10").statusCode());
        for (int i = 0; i < 3; i++)
        {
            final HttpResponse<String> r = cp.auth(ControlPlaneFixture.digest(DigestAlgorithm.MD5, "1001", "wrong", "n-f" + i,
                "00000001", "c", "auth"), "198.51.100.66");
            assertEquals("fail", TestServers.json(r.body()).get("status"), r.body());
        }
        // Route: one admitted outbound call, a second refused by CAC (one channel), a retry, an unknown destination.
        assertEquals("outbound", cp.route("m-1", "1001", DOMAIN, "+12125550100").get("action"));
        assertEquals("reject", cp.route("m-2", "1001", DOMAIN, "+12125550101").get("action"));
        assertEquals("outbound", cp.route("m-1", "1001", DOMAIN, "+12125550100").get("action"));
        // Flow: a start, then a step whose answer hangs up.
        final HttpResponse<String> start = cp.json("/flow", "{\"callId\":\"f-1\",\"accountId\":\"" + ACCOUNT + "\",\"flowId\":\"" + FLOW + "\"}");
        assertEquals(200, start.statusCode(), start.body());
        final HttpResponse<String> bye = cp.form("/flow", "callId", "f-1", "outcome", "digit:9");
        assertEquals(200, bye.statusCode(), bye.body());
        assertEquals(404, cp.get("/no/such/route").statusCode());

        final HttpResponse<String> r = cp.admin("GET", "/metrics", null);
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/plain; version=0.0.4"), r.headers().toString());
        text = r.body();
        scrape = Exposition.parse(text);
    }

    @AfterAll
    static void stop()
    {
        if (server != null)
        {
            server.close();
        }
    }

    @Test
    void shouldDeclareEachMetricNameOnceWithOneHelpAndOneType()
    {
        assertFalse(scrape.typeLines().isEmpty(), text);
        scrape.typeLines().forEach((name, types) -> assertEquals(1, types.size(), name + " has TYPE lines " + types));
        scrape.helpLines().forEach((name, n) -> assertEquals(1, n, name + " has " + n + " HELP lines"));
        assertEquals(scrape.typeLines().keySet(), scrape.helpLines().keySet(), "every TYPE has its HELP");
        for (final Exposition.Sample s : scrape.samples())
        {
            assertTrue(family(s.name()) != null, "sample " + s + " belongs to no declared metric");
        }
    }

    @Test
    void shouldNameEveryCounterTotalAndUseBaseUnits()
    {
        final List<String> counters = new ArrayList<>();
        scrape.typeLines().forEach((name, types) ->
        {
            if (types.get(0).equals("counter"))
            {
                counters.add(name);
                assertTrue(name.endsWith("_total"), "counter " + name + " does not end in _total");
            }
            if (name.startsWith("edgeplane_"))
            {
                assertFalse(name.matches(".*_(ms|millis|milliseconds|us|micros|nanos|kb|mb)(_.*)?"), name + " is not in base units");
            }
        });
        assertTrue(counters.containsAll(List.of("edgeplane_http_requests_total", "edgeplane_shard_rejected_total",
            "edgeplane_sweep_visited_total", "edgeplane_writebehind_rows_total", "edgeplane_sip_auth_total",
            "edgeplane_connections_accepted_total")), counters.toString());
    }

    @Test
    void shouldHistogramTheLatencyOfACalledRoute()
    {
        assertEquals(List.of("histogram"), scrape.typeLines().get("edgeplane_http_request_duration_seconds"));
        final String[] route = {"surface", "control-plane", "route", "/route", "method", "POST"};
        final double count = scrape.value("edgeplane_http_request_duration_seconds_count", route);
        assertEquals(3, count, text);
        assertEquals(3, scrape.value("edgeplane_http_request_duration_seconds_bucket", concat(route, "le", "+Inf")));
        assertEquals(3, scrape.value("edgeplane_http_request_duration_seconds_bucket", concat(route, "le", "10.0")),
            "a loopback answer takes less than 10 s");
        assertTrue(scrape.value("edgeplane_http_request_duration_seconds_sum", route) > 0);
        int buckets = 0;
        for (final Exposition.Sample s : scrape.samples())
        {
            if (s.name().equals("edgeplane_http_request_duration_seconds_bucket") && "/route".equals(s.labels().get("route")))
            {
                buckets++;
            }
        }
        assertEquals(HttpMetrics.LATENCY_BUCKETS_SECONDS.length + 1, buckets, "explicit buckets and +Inf");
        assertEquals(3, scrape.value("edgeplane_http_requests_total", concat(route, "code", "2xx")), text);
        assertTrue(scrape.value("edgeplane_http_requests_total", "surface", "control-plane", "route", "unmatched", "code", "4xx") >= 1,
            "the 404 is counted as unmatched");
    }

    @Test
    void shouldExposeJvmProcessAndBuildInfo()
    {
        assertTrue(scrape.typeLines().keySet().stream().anyMatch(n -> n.startsWith("jvm_memory")), "jvm_ metrics");
        assertTrue(scrape.has("jvm_memory_used_bytes"), "heap in use");
        assertTrue(scrape.has("process_cpu_seconds_total"), "process metrics");
        assertTrue(scrape.has("process_start_time_seconds"));
        assertEquals(1, scrape.value("edgeplane_build_info", "version", "0.1.0-SNAPSHOT"), text);
    }

    @Test
    void shouldCountSipVerdictsWhereTheyAreMade()
    {
        assertEquals(1, scrape.value("edgeplane_sip_auth_total", "result", "ok"), text);
        assertEquals(2, scrape.value("edgeplane_sip_auth_total", "result", "invalid_credentials"));
        assertEquals(1, scrape.value("edgeplane_sip_auth_total", "result", "banned"));
        assertEquals(0, scrape.value("edgeplane_sip_auth_total", "result", "replay"), "resolved at start, zero until used");
        assertEquals(1, scrape.value("edgeplane_sip_auth_bans_total"));
        assertEquals(1, scrape.value("edgeplane_sip_route_decisions_total", "action", "outbound"));
        assertEquals(1, scrape.value("edgeplane_sip_route_decisions_total", "action", "reject"));
        assertEquals(1, scrape.value("edgeplane_sip_route_replays_total"));
        assertEquals(1, scrape.value("edgeplane_cac_admitted_total", "direction", "outbound"));
        assertEquals(1, scrape.value("edgeplane_cac_rejected_total", "direction", "outbound", "reason", "max_channels"));
        assertEquals(1, scrape.value("edgeplane_flow_steps_total", "kind", "start", "result", "command"));
        assertEquals(1, scrape.value("edgeplane_flow_steps_total", "kind", "step", "result", "hangup"));
        assertTrue(scrape.value("edgeplane_journal_lag_seconds") >= 0);
        assertTrue(scrape.value("edgeplane_writebehind_rows_total") >= 0);
    }

    @Test
    void shouldPassPromtoolCheckMetrics() throws Exception
    {
        final Promtool.Result r = Promtool.run(text.getBytes(StandardCharsets.UTF_8), "check", "metrics");
        assertEquals(0, r.exitCode(), r.output());
        assertEquals("", r.output().strip(), "promtool reports no problem");
    }

    @Test
    void shouldBuildTheDashboardFromMetricsTheScrapeHas() throws Exception
    {
        final JsonNode dashboard = new ObjectMapper().readTree(Files.readString(DASHBOARD));
        assertTrue(dashboard.path("title").isTextual() && dashboard.path("uid").isTextual(), "a Grafana dashboard model");
        assertTrue(dashboard.path("schemaVersion").isInt());
        final JsonNode panels = dashboard.path("panels");
        assertTrue(panels.isArray() && panels.size() >= 10, "panels");
        final Set<Integer> ids = new TreeSet<>();
        final Set<String> used = new TreeSet<>();
        for (final JsonNode panel : panels)
        {
            final String title = panel.path("title").asText();
            assertTrue(ids.add(panel.path("id").asInt(-1)), "unique panel id: " + title);
            assertTrue(panel.path("type").isTextual() && panel.path("gridPos").has("w"), title);
            assertTrue(panel.path("targets").isArray() && panel.path("targets").size() > 0, title + " has queries");
            for (final JsonNode target : panel.path("targets"))
            {
                final Set<String> names = metricNames(target.path("expr").asText());
                assertFalse(names.isEmpty(), title + ": " + target.path("expr").asText() + " uses no metric");
                used.addAll(names);
            }
        }
        for (final JsonNode variable : dashboard.path("templating").path("list"))
        {
            used.addAll(metricNames(variable.path("query").isTextual() ? variable.path("query").asText()
                : variable.path("query").path("query").asText()));
        }
        assertMetricsScraped("the dashboard", used);
    }

    @Test
    void shouldCheckTheAlertRules() throws Exception
    {
        final JsonNode rules = new YAMLMapper().readTree(Files.readString(ALERTS));
        final Set<String> used = new TreeSet<>();
        final Set<String> alerts = new TreeSet<>();
        for (final JsonNode group : rules.path("groups"))
        {
            for (final JsonNode rule : group.path("rules"))
            {
                alerts.add(rule.path("alert").asText());
                used.addAll(metricNames(rule.path("expr").asText()));
            }
        }
        assertTrue(alerts.containsAll(List.of("EdgeplaneJournalLagHigh", "EdgeplaneDatabaseDown", "EdgeplaneJournalNotAcceptingWrites",
            "EdgeplaneHigh5xxRatio", "EdgeplaneHighP99Latency", "EdgeplaneCacRejectRateHigh", "EdgeplaneInstanceDown")), alerts.toString());
        assertTrue(used.size() >= 6, "the rules use our metrics: " + used);
        assertMetricsScraped("the alert rules", used);
        final Promtool.Result r = Promtool.run(null, "check", "rules", ALERTS.toAbsolutePath().toString());
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("SUCCESS"), r.output());
    }

    private static void assertMetricsScraped(final String what, final Set<String> used)
    {
        final List<String> missing = new ArrayList<>();
        for (final String name : used)
        {
            if (!scrape.has(name))
            {
                missing.add(name);
            }
        }
        assertTrue(missing.isEmpty(), what + " uses metrics the server does not expose: " + missing);
    }

    private static Set<String> metricNames(final String expr)
    {
        final Set<String> names = new TreeSet<>();
        final Matcher m = METRIC_NAME.matcher(expr);
        while (m.find())
        {
            names.add(m.group());
        }
        return names;
    }

    /** @return the declared metric a sample belongs to (histogram, summary and info suffixes allowed), or null. */
    private static String family(final String sample)
    {
        if (scrape.typeLines().containsKey(sample))
        {
            return sample;
        }
        for (final String suffix : new String[] {"_bucket", "_sum", "_count", "_created", "_info"})
        {
            if (sample.endsWith(suffix))
            {
                final String base = sample.substring(0, sample.length() - suffix.length());
                if (scrape.typeLines().containsKey(base))
                {
                    return base;
                }
            }
        }
        return null;
    }

    private static String[] concat(final String[] a, final String... b)
    {
        final String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
