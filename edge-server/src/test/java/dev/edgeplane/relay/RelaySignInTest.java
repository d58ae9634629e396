package dev.edgeplane.relay;

import static dev.edgeplane.relay.RelayFixture.assertError;
import static dev.edgeplane.relay.RelayFixture.json;
import static dev.edgeplane.relay.RelayFixture.map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.edgeplane.server.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The authorize page against password guessing, over real sockets: guesses are limited per account and per
 * source address ({@code 429} whatever the password), and every failed sign-in is answered the same, so a right
 * password cannot be told from a wrong one by the answer.
 */
class RelaySignInTest
{
    private static final int ACCOUNT_LIMIT = 4;
    private static final int ADDRESS_LIMIT = 10;
    private static final int WINDOW_S = 60;
    private static final String PASSWORD = "correct horse battery";

    @TempDir
    static Path dataDir;
    static RelayFixture relay;

    @BeforeAll
    static void start()
    {
        relay = new RelayFixture(dataDir, "relay_signin", Map.of(
            "RELAY_SIGNIN_ACCOUNT_LIMIT", Integer.toString(ACCOUNT_LIMIT),
            "RELAY_SIGNIN_ADDRESS_LIMIT", Integer.toString(ADDRESS_LIMIT),
            "RELAY_SIGNIN_WINDOW_S", Integer.toString(WINDOW_S),
            "RELAY_LOGIN_TTL_S", "3600"));
    }

    @AfterAll
    static void stop()
    {
        relay.close();
    }

    @BeforeEach
    void freshWindows()
    {
        relay.clock.advanceSeconds(WINDOW_S + 1); // every test starts with its guesses unspent
    }

    @Test
    void shouldAnswerARightPasswordForAnUnusableAttemptLikeAWrongOne() throws Exception
    {
        final String email = newUser();
        final String live = (String)relay.loginStart().get("login_attempt_id");

        final HttpResponse<String> wrongPassword = signIn(live, email, "wrong password");
        final Map<String, Object> expected = assertError(wrongPassword, 401, "invalid_credentials");
        final String expectedMessage = (String)map(json(wrongPassword).get("error")).get("message");

        // An attempt id that does not exist, with the right password: was 404 login_attempt_not_found.
        final HttpResponse<String> unknown = signIn("la_01jzqwjn803wtnhc445bvjenzc", email, PASSWORD);
        assertEquals(expected, assertError(unknown, 401, "invalid_credentials"));
        assertEquals(expectedMessage, map(json(unknown).get("error")).get("message"));

        // An attempt already decided, with the right password: was 409 login_attempt_not_pending.
        final Map<String, Object> decided = relay.loginStart();
        assertEquals(200, relay.admin("POST", "/api/v1/admin/login/deny",
            "{\"login_attempt_id\":\"" + decided.get("login_attempt_id") + "\"}").statusCode());
        final HttpResponse<String> notPending = signIn((String)decided.get("login_attempt_id"), email, PASSWORD);
        assertEquals(expected, assertError(notPending, 401, "invalid_credentials"));
        assertEquals(expectedMessage, map(json(notPending).get("error")).get("message"));

        // The live attempt is still pending and a right password approves it.
        relay.clock.advanceSeconds(WINDOW_S + 1);
        final HttpResponse<String> approved = signIn(live, email, PASSWORD);
        assertEquals(200, approved.statusCode(), approved.body());
    }

    @Test
    void shouldAnswerAnExpiredAttemptLikeAWrongPassword() throws Exception
    {
        final String email = newUser();
        final String id = (String)relay.loginStart().get("login_attempt_id");
        relay.clock.advanceSeconds(3600); // the attempt expires; was 410 expired_token with the right password
        assertError(signIn(id, email, PASSWORD), 401, "invalid_credentials");
        assertError(signIn(id, email, "wrong password"), 401, "invalid_credentials");
    }

    @Test
    void shouldRefuseGuessesPastTheAccountLimitWhateverThePassword() throws Exception
    {
        final String email = newUser();
        for (int i = 0; i < ACCOUNT_LIMIT; i++)
        {
            // A fresh attempt per guess: the per-attempt limit (five failures deny it) must not be what stops them.
            assertError(signIn((String)relay.loginStart().get("login_attempt_id"), email, "guess " + i), 401,
                "invalid_credentials");
        }
        final String id = (String)relay.loginStart().get("login_attempt_id");
        final HttpResponse<String> limited = signIn(id, email.toUpperCase(java.util.Locale.ROOT), PASSWORD);
        final Map<String, Object> details = assertError(limited, 429, "rate_limited");
        final long retryAfter = Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow());
        assertTrue(retryAfter >= 1 && retryAfter <= WINDOW_S, "Retry-After " + retryAfter);
        assertEquals(retryAfter, details.get("retry_after_s"));
        assertError(signIn(id, email, "another guess"), 429, "rate_limited");

        // Another account from the same address still gets its guesses.
        assertError(signIn(id, newUser(), "wrong password"), 401, "invalid_credentials");

        relay.clock.advanceSeconds(WINDOW_S);
        final HttpResponse<String> approved = signIn(id, email, PASSWORD);
        assertEquals(200, approved.statusCode(), approved.body());
    }

    @Test
    void shouldRefuseGuessesPastTheAddressLimitAcrossAccounts() throws Exception
    {
        final String id = (String)relay.loginStart().get("login_attempt_id");
        for (int i = 0; i < ADDRESS_LIMIT; i++)
        {
            // Spraying: one guess per (mostly unknown) account, all from one address.
            assertError(signIn(id, "nobody-" + i + "@example.com", "wrong password"), 401, "invalid_credentials");
        }
        final String email = newUser();
        assertError(signIn((String)relay.loginStart().get("login_attempt_id"), email, PASSWORD), 429, "rate_limited");
        relay.clock.advanceSeconds(WINDOW_S);
        final HttpResponse<String> approved = signIn((String)relay.loginStart().get("login_attempt_id"), email, PASSWORD);
        assertEquals(200, approved.statusCode(), approved.body());
    }

    @Test
    void shouldLetNoMoreThanTheLimitOfConcurrentGuessesThrough() throws Exception
    {
        final String email = newUser();
        final List<Callable<Integer>> guesses = new ArrayList<>();
        for (int i = 0; i < 3 * ACCOUNT_LIMIT; i++)
        {
            final int n = i;
            guesses.add(() -> signIn((String)relay.loginStart().get("login_attempt_id"), email, "guess " + n).statusCode());
        }
        final ExecutorService pool = Executors.newFixedThreadPool(guesses.size());
        int unauthorized = 0;
        int limited = 0;
        try
        {
            for (final Future<Integer> f : pool.invokeAll(guesses))
            {
                final int status = f.get();
                unauthorized += status == 401 ? 1 : 0;
                limited += status == 429 ? 1 : 0;
            }
        }
        finally
        {
            pool.shutdownNow();
        }
        assertEquals(ACCOUNT_LIMIT, unauthorized, "guesses checked");
        assertEquals(2 * ACCOUNT_LIMIT, limited, "guesses refused");
    }

    private static String newUser() throws Exception
    {
        final String email = "signin-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        final HttpResponse<String> created = relay.admin("POST", "/api/v1/admin/users",
            "{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD + "\",\"plan\":\"starter\"}");
        assertEquals(201, created.statusCode(), created.body());
        return email;
    }

    private static HttpResponse<String> signIn(final String attempt, final String email, final String password)
        throws Exception
    {
        final String body = "attempt=" + enc(attempt) + "&email=" + enc(email) + "&password=" + enc(password)
            + "&decision=approve";
        return TestServers.CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + relay.port + "/login/plugin"))
            .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String enc(final String s)
    {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
