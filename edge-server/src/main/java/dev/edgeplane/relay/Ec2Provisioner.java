package dev.edgeplane.relay;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.edgeplane.codec.DecodeException;
import dev.edgeplane.codec.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Launches relays through an EC2-style HTTP API at {@code RELAY_PROVISIONER_URL}: JSON shaped after EC2's
 * RunInstances and TerminateInstances, posted to {@code <url>/RunInstances} and {@code <url>/TerminateInstances}
 * (with {@code Authorization: Bearer RELAY_PROVISIONER_TOKEN} when set).
 *
 * <pre>
 * POST /RunInstances {"Region","ImageId","InstanceType","MinCount":1,"MaxCount":1,"ClientToken":session_id,
 *                     "UserData":base64(json),"TagSpecifications":[…]}
 *   → {"Instances":[{"InstanceId":"i-…","PublicIpAddress":"…"}]}
 * POST /TerminateInstances {"Region","InstanceIds":["i-…"]} → {"TerminatingInstances":[…]}
 * </pre>
 *
 * <p>Every call has a timeout ({@code RELAY_PROVISIONER_TIMEOUT_MS}) and is retried a bounded number of
 * times ({@code RELAY_PROVISIONER_RETRIES}) with exponential back-off on I/O errors, timeouts, 429 and 5xx;
 * other 4xx fail at once. Retrying RunInstances is safe because the session id is its {@code ClientToken}
 * (EC2's idempotency token). The relay's health secret travels only inside {@code UserData}.
 *
 * <p>Thread-safe: the JDK HTTP client is; back-off waits are scheduled, never slept.
 */
final class Ec2Provisioner implements RelayProvisioner
{
    private static final Logger LOG = LoggerFactory.getLogger(Ec2Provisioner.class);
    private static final long BACKOFF_INITIAL_MILLIS = 100;
    private static final long BACKOFF_MAX_MILLIS = 2_000;

    private final String baseUrl;
    private final String token;
    private final Duration timeout;
    private final int retries;
    private final String healthUrl;
    private final ScheduledExecutorService timers;
    private final HttpClient client;
    private final AtomicBoolean up = new AtomicBoolean(true);

    Ec2Provisioner(final String baseUrl, final String token, final Duration timeout, final int retries,
        final String healthUrl, final ScheduledExecutorService timers)
    {
        this.baseUrl = baseUrl;
        this.token = token;
        this.timeout = timeout;
        this.retries = retries;
        this.healthUrl = healthUrl;
        this.timers = timers;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
    }

    @Override
    public String name()
    {
        return "ec2";
    }

    @Override
    public boolean up()
    {
        return up.get();
    }

    @Override
    public CompletableFuture<Launched> launch(final LaunchRequest r)
    {
        final Map<String, Object> userData = new LinkedHashMap<>();
        userData.put("session_id", r.sessionId());
        userData.put("relay_auth", r.relayAuth());
        userData.put("health_url", healthUrl);
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("Region", r.region());
        body.put("ImageId", r.imageId());
        body.put("InstanceType", r.instanceType());
        body.put("MinCount", 1L);
        body.put("MaxCount", 1L);
        body.put("ClientToken", r.sessionId());
        body.put("UserData", Base64.getEncoder().encodeToString(Json.write(userData)));
        body.put("TagSpecifications", List.of(Map.of("ResourceType", "instance", "Tags", List.of(
            Map.of("Key", "edgeplane:session", "Value", r.sessionId()),
            Map.of("Key", "edgeplane:user", "Value", r.userId())))));
        return call("RunInstances", body).thenApply(Ec2Provisioner::launched);
    }

    @SuppressWarnings("unchecked")
    private static Launched launched(final Object answer)
    {
        if (answer instanceof Map<?, ?> m && m.get("Instances") instanceof List<?> list && !list.isEmpty()
            && list.get(0) instanceof Map<?, ?> first && first.get("InstanceId") instanceof String id
            && !id.isEmpty() && id.length() <= 64)
        {
            final Object ip = ((Map<String, Object>)first).get("PublicIpAddress");
            return new Launched(id, ip instanceof String s && s.length() <= 64 ? s : "");
        }
        throw new ProvisionerException("RunInstances answered without a usable Instances[0].InstanceId");
    }

    @Override
    public CompletableFuture<Void> terminate(final String region, final String instanceId)
    {
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("Region", region);
        body.put("InstanceIds", List.of(instanceId));
        return call("TerminateInstances", body).thenApply(answer -> null);
    }

    /** Posts one call, retrying as the class documents; the future holds the parsed JSON answer. */
    private CompletableFuture<Object> call(final String action, final Map<String, Object> body)
    {
        final CompletableFuture<Object> result = new CompletableFuture<>();
        attempt(action, Json.write(body), 0, result);
        return result;
    }

    private void attempt(final String action, final byte[] body, final int attempt, final CompletableFuture<Object> result)
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + "/" + action))
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (!token.isEmpty())
        {
            request.header("Authorization", "Bearer " + token);
        }
        client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray()).whenComplete((response, failure) ->
        {
            final Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
            final int status = response == null ? 0 : response.statusCode();
            if (cause == null && status >= 200 && status < 300)
            {
                up.set(true);
                try
                {
                    final byte[] b = response.body();
                    result.complete(b.length == 0 ? Map.of() : Json.parse(b, 0, b.length));
                }
                catch (final DecodeException e)
                {
                    result.completeExceptionally(new ProvisionerException(action + " answered malformed JSON: " + e.getMessage()));
                }
                return;
            }
            final boolean retryable = cause instanceof IOException || status == 429 || status >= 500;
            final String what = cause != null ? cause.getClass().getSimpleName() + ": " + cause.getMessage() : "HTTP " + status;
            if (retryable && attempt < retries)
            {
                final long delay = Math.min(BACKOFF_MAX_MILLIS, BACKOFF_INITIAL_MILLIS << attempt);
                LOG.warn("provisioner {} failed ({}); retry {} of {} in {} ms", action, what, attempt + 1, retries, delay);
                timers.schedule(() -> attempt(action, body, attempt + 1, result), delay, TimeUnit.MILLISECONDS);
                return;
            }
            if (retryable)
            {
                up.set(false);
            }
            result.completeExceptionally(new ProvisionerException(action + " failed after " + (attempt + 1)
                + " attempt(s): " + what, cause));
        });
    }

    @Override
    public void close()
    {
        // The JDK client has no close on 17; its threads are daemons and idle ones end by themselves.
    }

    static String describe(final Throwable t)
    {
        final Throwable c = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
    }
}
