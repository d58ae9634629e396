package dev.edgeplane.tools;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;

import dev.edgeplane.codec.DecodeException;
import dev.edgeplane.codec.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code edgeplane relay-client}: a plugin-like client of the relay control plane that walks the whole life of
 * a relay against a running server and prints each step: plugin login (start → approval through the
 * self-service authorize form with {@code --password}, or by the operator with the admin token → poll),
 * the session, {@code POST /relay/start} with an Idempotency-Key, a health report as the relay itself
 * (its {@code X-Relay-Auth} fetched with the admin token), waiting for {@code active}, and
 * {@code POST /relay/stop}. With {@code --create-user} the user is created first (an existing one is kept).
 * Exit status 0 when every step succeeded, 1 when one failed (its error body is printed), 2 for bad usage.
 *
 * <p>Not thread-safe; one run per instance.
 */
@Command(name = "relay-client", mixinStandardHelpOptions = true,
    description = "Walk login -> start -> health -> active -> stop against a running relay control plane.")
final class RelayClientCommand implements Callable<Integer>
{
    @Option(names = "--url", defaultValue = "http://127.0.0.1:8080", description = "Relay API base URL (default ${DEFAULT-VALUE}).")
    String url;

    @Option(names = "--admin-token", description = "Admin token (default: the ADMIN_TOKEN environment variable).")
    String adminToken;

    @Option(names = "--email", required = true, description = "The plugin user's email.")
    String email;

    @Option(names = "--password", description = "The user's password: approve through the authorize form as the user "
        + "(without it, the operator approves with the admin token).")
    String password;

    @Option(names = "--create-user", description = "Create the user first (with --plan); an existing user is kept.")
    boolean createUser;

    @Option(names = "--plan", defaultValue = "starter", description = "Plan granted to a created user (default ${DEFAULT-VALUE}).")
    String plan;

    @Option(names = "--region", description = "Region to start the relay in (default: the manifest's default).")
    String region;

    @Option(names = "--timeout", defaultValue = "60", description = "Seconds to wait for approval and for the relay (default ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    private PrintStream out = System.out;
    private int step;

    /** A step that could not go on; its message is printed and the run exits 1. */
    private static final class StepFailed extends Exception
    {
        private static final long serialVersionUID = 1L;

        StepFailed(final String message)
        {
            super(message);
        }
    }

    @Override
    public Integer call() throws InterruptedException
    {
        out = System.out;
        final String token = adminToken != null ? adminToken : System.getenv().getOrDefault("ADMIN_TOKEN", "");
        if (token.isBlank() && (password == null || createUser))
        {
            System.err.println("an admin token is needed to create users or approve logins: pass --admin-token or set ADMIN_TOKEN");
            return 2;
        }
        url = url.replaceAll("/+$", "");
        try
        {
            run(token);
            out.println("relay-client: every step succeeded");
            return 0;
        }
        catch (final StepFailed e)
        {
            System.err.println("relay-client: step " + step + " failed: " + e.getMessage());
            return 1;
        }
        catch (final IOException e)
        {
            System.err.println("relay-client: step " + step + " failed: cannot reach " + url + ": " + e);
            return 1;
        }
    }

    private void run(final String token) throws IOException, InterruptedException, StepFailed
    {
        if (createUser)
        {
            begin("create user " + email);
            final String body = password == null
                ? jsonText(Map.of("email", email, "plan", plan))
                : jsonText(Map.of("email", email, "password", password, "plan", plan));
            final HttpResponse<String> r = send("POST", "/api/v1/admin/users", body, "x-admin-token", token);
            if (r.statusCode() == 409)
            {
                done("exists already");
            }
            else
            {
                done("id " + field(expect(r, 201), "id"));
            }
        }

        begin("login start");
        final Map<String, Object> attempt = expect(send("POST", "/api/v1/auth/plugin/login/start",
            "{\"client_name\":\"edgeplane relay-client\"}"), 200);
        final String attemptId = field(attempt, "login_attempt_id");
        done(attemptId + ", authorize at " + field(attempt, "authorize_url"));

        if (password != null)
        {
            begin("approve through the authorize form as " + email);
            final String form = "attempt=" + enc(attemptId) + "&email=" + enc(email) + "&password=" + enc(password)
                + "&decision=approve";
            final HttpResponse<String> r = send("POST", "/login/plugin", form, "Content-Type",
                "application/x-www-form-urlencoded", "Accept", "application/json");
            if (r.statusCode() != 200)
            {
                throw new StepFailed("HTTP " + r.statusCode() + ": " + r.body());
            }
            done("approved");
        }
        else
        {
            begin("operator approves the login for " + email);
            expect(send("POST", "/api/v1/admin/login/approve", jsonText(Map.of("login_attempt_id", attemptId,
                "email", email)), "x-admin-token", token), 200);
            done("approved");
        }

        begin("poll for tokens");
        final Map<String, Object> tokens = poll(attemptId, field(attempt, "poll_token"),
            ((Number)attempt.get("interval")).longValue());
        final String access = field(tokens, "access_token");
        done("access token for " + field(asMap(tokens.get("user")), "id") + ", expires in " + tokens.get("expires_in") + " s");

        begin("session");
        final Map<String, Object> session = expect(send("GET", "/api/v1/auth/session", null, "Authorization", "Bearer " + access), 200);
        done("entitlement " + jsonText(session.get("entitlement")));

        begin("relay start");
        final String key = UUID.randomUUID().toString();
        final String startBody = region == null ? "{}" : jsonText(Map.of("region", region));
        final HttpResponse<String> started = send("POST", "/api/v1/relay/start", startBody,
            "Authorization", "Bearer " + access, "Idempotency-Key", key);
        if (started.statusCode() != 200 && started.statusCode() != 201)
        {
            throw new StepFailed("HTTP " + started.statusCode() + ": " + started.body());
        }
        Map<String, Object> relay = asMap(parse(started.body()).get("session"));
        final String sessionId = field(relay, "session_id");
        done(sessionId + " " + relay.get("state") + " in " + relay.get("region") + " (Idempotency-Key " + key + ")");

        begin("health report as the relay");
        final Map<String, Object> creds = asMap(expect(send("GET", "/api/v1/admin/relay/sessions/" + sessionId, null,
            "x-admin-token", token), 200).get("relay_auth"));
        final Object instanceId = creds.get("instance_id");
        if (instanceId == null)
        {
            throw new StepFailed("the session has no instance yet");
        }
        final Map<String, Object> health = expect(send("POST", "/api/v1/relay/health",
            jsonText(Map.of("session_id", sessionId, "instance_id", instanceId)),
            "X-Relay-Auth", field(creds, "secret")), 200);
        done("instance " + instanceId + " reported healthy, session " + health.get("state"));

        begin("wait for active");
        final long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
        while (true)
        {
            relay = asMap(expect(send("GET", "/api/v1/relay/active", null, "Authorization", "Bearer " + access), 200)
                .get("session"));
            if (relay != null && "active".equals(relay.get("state")))
            {
                break;
            }
            if (System.nanoTime() > deadline)
            {
                throw new StepFailed("the relay did not become active within " + timeoutSeconds + " s: " + relay);
            }
            Thread.sleep(500);
        }
        done(sessionId + " active at " + relay.get("public_ip"));

        begin("relay stop");
        final Map<String, Object> stopped = asMap(expect(send("POST", "/api/v1/relay/stop", null,
            "Authorization", "Bearer " + access), 200).get("session"));
        done(sessionId + " " + stopped.get("state") + (stopped.get("grace_expires_at") != null
            ? " until " + stopped.get("grace_expires_at") : ""));
    }

    /** Polls as RFC 8628 asks: wait {@code interval}, slow down by 5 s when told. */
    private Map<String, Object> poll(final String attemptId, final String pollToken, final long interval)
        throws IOException, InterruptedException, StepFailed
    {
        final String body = jsonText(Map.of("login_attempt_id", attemptId, "poll_token", pollToken));
        final long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
        long wait = interval;
        boolean first = true;
        while (true)
        {
            if (!first)
            {
                Thread.sleep(wait * 1000);
            }
            first = false;
            final HttpResponse<String> r = send("POST", "/api/v1/auth/plugin/login/poll", body);
            if (r.statusCode() == 200)
            {
                return parse(r.body());
            }
            final String code = String.valueOf(asMap(parse(r.body()).get("error")).get("code"));
            switch (code)
            {
                case "authorization_pending" -> out.println("    … " + code);
                case "slow_down" ->
                {
                    wait += 5;
                    out.println("    … slow_down, polling every " + wait + " s");
                }
                default -> throw new StepFailed("HTTP " + r.statusCode() + ": " + r.body());
            }
            if (System.nanoTime() > deadline)
            {
                throw new StepFailed("the login was not approved within " + timeoutSeconds + " s");
            }
        }
    }

    private void begin(final String what)
    {
        step++;
        out.print(step + ". " + what + " ... ");
        out.flush();
    }

    private void done(final String result)
    {
        out.println("ok: " + result);
    }

    private HttpResponse<String> send(final String method, final String path, final String body, final String... headers)
        throws IOException, InterruptedException
    {
        final HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(30));
        boolean typed = false;
        for (int i = 0; i < headers.length; i += 2)
        {
            b.header(headers[i], headers[i + 1]);
            typed |= headers[i].equalsIgnoreCase("Content-Type");
        }
        if (body != null && !typed)
        {
            b.header("Content-Type", "application/json");
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Map<String, Object> expect(final HttpResponse<String> r, final int status) throws StepFailed
    {
        if (r.statusCode() != status)
        {
            throw new StepFailed("HTTP " + r.statusCode() + ": " + r.body());
        }
        return parse(r.body());
    }

    private static Map<String, Object> parse(final String body) throws StepFailed
    {
        try
        {
            final byte[] b = body.getBytes(StandardCharsets.UTF_8);
            if (Json.parse(b, 0, b.length) instanceof Map<?, ?> m)
            {
                return asMap(m);
            }
        }
        catch (final DecodeException e)
        {
            // fall through
        }
        throw new StepFailed("the server answered something that is not a JSON object: " + body);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(final Object o)
    {
        return (Map<String, Object>)o;
    }

    private static String field(final Map<String, Object> m, final String name) throws StepFailed
    {
        if (m != null && m.get(name) instanceof String s)
        {
            return s;
        }
        throw new StepFailed("the answer has no " + name + ": " + m);
    }

    private static String jsonText(final Object tree)
    {
        return new String(Json.write(tree), StandardCharsets.UTF_8);
    }

    private static String enc(final String s)
    {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
