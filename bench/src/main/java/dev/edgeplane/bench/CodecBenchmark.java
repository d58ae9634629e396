package dev.edgeplane.bench;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.edgeplane.codec.BodyDecoder;
import dev.edgeplane.codec.ErrorBody;
import dev.edgeplane.codec.Fields;
import dev.edgeplane.codec.JsonBuffer;
import dev.edgeplane.codec.Problems;
import dev.edgeplane.codec.RouteMatch;
import dev.edgeplane.codec.RouteTable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Codec hot paths, each as one request's worth of work: decode a {@code /route} body (JSON and
 * form), match a request-target against a ~40-route table (a literal path and a 3-parameter
 * path), and encode an error body (fresh and through a reused per-connection buffer).
 *
 * <p>Mode: average time per operation in nanoseconds. Run with {@code -prof gc} to see bytes
 * allocated per operation ({@code gc.alloc.rate.norm}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class CodecBenchmark
{
    private static final String ROUTE_JSON =
        "{\"callId\":\"a84b4c76e66710\",\"from\":\"1001\",\"fromDomain\":\"acme.sip.io\",\"to\":\"+12025550123\","
            + "\"sourceIp\":\"203.0.113.7\"}";
    private static final String ROUTE_FORM =
        "callId=a84b4c76e66710&from=1001&fromDomain=acme.sip.io&to=%2B12025550123&sourceIp=203.0.113.7";

    /** Shapes like the control-plane, TelAPI, services and relay surfaces register. */
    private static final String[][] ROUTES = {
        {"GET", "/health"}, {"GET", "/healthz"}, {"GET", "/metrics"}, {"GET", "/debug"},
        {"POST", "/auth"}, {"POST", "/route"}, {"POST", "/flow"}, {"POST", "/flow/step"},
        {"POST", "/presence/event"}, {"GET", "/presence/{userId}"}, {"GET", "/presence/{userId}/devices"},
        {"POST", "/acd/queues/{queueId}/join"}, {"POST", "/acd/queues/{queueId}/leave"}, {"GET", "/acd/queues/{queueId}"},
        {"POST", "/cac/acquire"}, {"POST", "/cac/release"}, {"GET", "/cac/{accountId}"},
        {"POST", "/agent/confirm/{accountId}/{leaseId}/{epoch}"}, {"POST", "/agent/heartbeat/{agentId}"},
        {"GET", "/trace/{callId}"}, {"POST", "/security/ban"}, {"DELETE", "/security/ban/{ip}"},
        {"POST", "/media/upload/{mediaId}"}, {"GET", "/media/{mediaId}"}, {"GET", "/admin/accounts"},
        {"POST", "/admin/accounts"}, {"GET", "/admin/accounts/{accountId}"}, {"PUT", "/admin/accounts/{accountId}"},
        {"DELETE", "/admin/accounts/{accountId}"}, {"POST", "/calls/token"}, {"GET", "/calls/{callId}/channel"},
        {"POST", "/services/railway"}, {"POST", "/services/openrouter/keys"}, {"DELETE", "/services/openrouter/keys/{keyId}"},
        {"POST", "/api/v1/auth/login"}, {"POST", "/api/v1/auth/refresh"}, {"POST", "/api/v1/relay/start"},
        {"POST", "/api/v1/relay/{relayId}/stop"}, {"GET", "/api/v1/relay/active"}, {"POST", "/api/v1/billing/webhook"},
        {"GET", "/api/v1/*"},
    };

    private byte[] jsonBody;
    private byte[] formBody;
    private String jsonType;
    private String formType;
    private RouteTable<String> table;
    private RouteMatch<String> match;
    private String literalUri;
    private String paramUri;
    private Problems problems;
    private JsonBuffer buffer;

    @Setup
    public void setUp()
    {
        jsonBody = ROUTE_JSON.getBytes(StandardCharsets.UTF_8);
        formBody = ROUTE_FORM.getBytes(StandardCharsets.US_ASCII);
        jsonType = "application/json";
        formType = "application/x-www-form-urlencoded";
        final RouteTable.Builder<String> builder = RouteTable.builder();
        for (final String[] route : ROUTES)
        {
            builder.add(route[0], route[1], route[0] + " " + route[1]);
        }
        table = builder.build();
        match = new RouteMatch<>();
        literalUri = "/presence/event";
        paramUri = "/agent/confirm/acct-4711/lease-9c1e/42";
        problems = new Problems().add("to", "is required").add("sourceIp", "must be a string");
        buffer = new JsonBuffer(512);
        if (table.match("POST", paramUri, match) != RouteTable.Outcome.FOUND || !"42".equals(match.param("epoch")))
        {
            throw new IllegalStateException("route table does not match the benchmark input");
        }
    }

    @TearDown
    public void tearDown()
    {
        buffer.close();
    }

    @Benchmark
    public Fields decodeJsonBody()
    {
        return BodyDecoder.decode(jsonType, jsonBody, 0, jsonBody.length);
    }

    @Benchmark
    public Fields decodeFormBody()
    {
        return BodyDecoder.decode(formType, formBody, 0, formBody.length);
    }

    @Benchmark
    public void matchLiteralPath(final Blackhole bh)
    {
        bh.consume(table.match("POST", literalUri, match));
        bh.consume(match.handler());
    }

    @Benchmark
    public void matchThreeParamPath(final Blackhole bh)
    {
        bh.consume(table.match("POST", paramUri, match));
        bh.consume(match.paramValue(2));
    }

    @Benchmark
    public byte[] encodeErrorBody()
    {
        return ErrorBody.encode("invalid_request", "2 problems", "6f1c2a9e-3b1d-4c55-9d0e-8e4b7a2c1f00", problems);
    }

    @Benchmark
    public void encodeErrorBodyReusedBuffer(final Blackhole bh) throws IOException
    {
        buffer.reset();
        final JsonGenerator g = buffer.generator();
        ErrorBody.write(g, "invalid_request", "2 problems", "6f1c2a9e-3b1d-4c55-9d0e-8e4b7a2c1f00", problems);
        bh.consume(buffer.length());
        bh.consume(buffer.array());
    }
}
