package dev.edgeplane.relay;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.edgeplane.codec.DecodeException;
import dev.edgeplane.codec.Json;

/**
 * Creates a LemonSqueezy checkout through its API ({@code POST <LEMONSQUEEZY_API_BASE>/v1/checkouts},
 * JSON:API) for one user and variant, with the user id in {@code checkout_data.custom} so the webhooks that
 * follow name the user, and returns the hosted checkout URL ({@code data.attributes.url}).
 *
 * <p>Thread-safe. {@link #create} blocks on the network (bounded by a timeout): call it on the blocking pool.
 */
final class LemonSqueezyCheckout
{
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** The checkout URL, or why there is none. */
    record Result(String url, String failure)
    {
    }

    private final String apiBase;
    private final String apiKey;
    private final String storeId;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(TIMEOUT).build();

    LemonSqueezyCheckout(final String apiBase, final String apiKey, final String storeId)
    {
        this.apiBase = apiBase;
        this.apiKey = apiKey;
        this.storeId = storeId;
    }

    boolean configured()
    {
        return !apiKey.isEmpty() && !storeId.isEmpty();
    }

    Result create(final String userId, final String email, final String variantId)
    {
        final Map<String, Object> body = Map.of("data", Map.of(
            "type", "checkouts",
            "attributes", Map.of("checkout_data", Map.of("email", email, "custom", Map.of("user_id", userId))),
            "relationships", Map.of(
                "store", Map.of("data", Map.of("type", "stores", "id", storeId)),
                "variant", Map.of("data", Map.of("type", "variants", "id", variantId)))));
        final HttpRequest request = HttpRequest.newBuilder(URI.create(apiBase + "/v1/checkouts"))
            .timeout(TIMEOUT)
            .header("Accept", "application/vnd.api+json")
            .header("Content-Type", "application/vnd.api+json")
            .header("Authorization", "Bearer " + apiKey)
            .POST(HttpRequest.BodyPublishers.ofByteArray(Json.write(body)))
            .build();
        try
        {
            final HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() / 100 != 2)
            {
                return new Result(null, "LemonSqueezy answered HTTP " + response.statusCode());
            }
            final byte[] b = response.body();
            if (Json.parse(b, 0, b.length) instanceof Map<?, ?> root && root.get("data") instanceof Map<?, ?> data
                && data.get("attributes") instanceof Map<?, ?> attributes && attributes.get("url") instanceof String url
                && (url.startsWith("https://") || url.startsWith("http://")))
            {
                return new Result(url, null);
            }
            return new Result(null, "LemonSqueezy answered without data.attributes.url");
        }
        catch (final IOException | DecodeException e)
        {
            return new Result(null, "LemonSqueezy could not be reached: " + e.getClass().getSimpleName());
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            return new Result(null, "interrupted");
        }
    }

    static List<String> settingNames()
    {
        return List.of(RelaySettings.LEMONSQUEEZY_API_KEY, RelaySettings.LEMONSQUEEZY_STORE_ID);
    }
}
