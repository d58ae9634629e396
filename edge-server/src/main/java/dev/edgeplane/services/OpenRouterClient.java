package dev.edgeplane.services;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * OpenRouter's key management API ({@code OPENROUTER_API_URL}, management key {@code OPENROUTER_MANAGEMENT_KEY}):
 * {@code POST /keys {name, limit, limit_reset}} → {@code 201 {"data":{"hash",…},"key":"sk-or-…"}},
 * {@code GET /keys?offset=} → {@code {"data":[…]}}, {@code DELETE /keys/{hash}}. The secret {@code key} is only
 * in the create answer, so a key found by name but never recorded cannot be adopted: it is deleted and made anew.
 *
 * <p>Thread-safe. Blocking.
 */
final class OpenRouterClient
{
    static final String PROVIDER = "openrouter";
    private static final int PAGE = 100;

    /** A created key: its hash (the resource id) and its secret value (never logged). */
    record CreatedKey(String hash, String secret)
    {
    }

    /** A key as listed. */
    record Key(String hash, String name)
    {
    }

    private final ProviderHttp http;

    OpenRouterClient(final ServicesSettings settings)
    {
        this.http = new ProviderHttp(PROVIDER, settings.openRouterUrl(), settings.openRouterKey(), settings);
    }

    CreatedKey create(final String name, final BigDecimal limit, final String limitReset)
    {
        requireKey();
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("limit", limit);
        if (limitReset != null)
        {
            body.put("limit_reset", limitReset);
        }
        final Object answer = http.call("POST", "/keys", body, false).body();
        final String hash = Trees.str(answer, "data", "hash");
        final String secret = Trees.str(answer, "key");
        if (hash == null || secret == null)
        {
            throw new ProviderException(PROVIDER, 201, "POST /keys answered without data.hash and key", false, true);
        }
        return new CreatedKey(hash, secret);
    }

    List<Key> list()
    {
        requireKey();
        final List<Key> keys = new ArrayList<>();
        for (int offset = 0; offset < 100_000; offset += PAGE)
        {
            final List<?> page = Trees.list(http.call("GET", "/keys?offset=" + offset, null, true).body(), "data");
            for (final Object k : page)
            {
                keys.add(new Key(Trees.str(k, "hash"), Trees.str(k, "name")));
            }
            if (page.size() < PAGE)
            {
                break;
            }
        }
        return keys;
    }

    List<Key> named(final String name)
    {
        return list().stream().filter(k -> name.equals(k.name())).toList();
    }

    /** Deletes a key; a key already gone (404) counts as deleted. */
    void delete(final String hash)
    {
        requireKey();
        try
        {
            http.call("DELETE", "/keys/" + Trees.encode(hash), null, true);
        }
        catch (final ProviderException e)
        {
            if (!e.gone())
            {
                throw e;
            }
        }
    }

    private void requireKey()
    {
        if (!http.hasCredentials())
        {
            throw ProviderException.notConfigured(PROVIDER, ServicesSettings.OPENROUTER_MANAGEMENT_KEY);
        }
    }
}
