package dev.edgeplane.services;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Telnyx API v2 ({@code TELNYX_API_URL}, bearer {@code TELNYX_API_KEY}): number search
 * ({@code GET /available_phone_numbers?filter[country_code]=&filter[features][]=sms&filter[limit]=1}), number orders
 * ({@code POST /number_orders {phone_numbers:[{phone_number}], messaging_profile_id, customer_reference}}), owned
 * numbers ({@code GET /phone_numbers?filter[customer_reference]=}, {@code DELETE /phone_numbers/{id}}) and the
 * messaging profile ({@code TELNYX_MESSAGING_PROFILE_ID}, or one named {@value #PROFILE_NAME} found or created through
 * {@code /messaging_profiles}). The instance id is each number's {@code customer_reference}, so a retried order finds
 * the number it already bought.
 *
 * <p>Thread-safe. Blocking.
 */
final class TelnyxClient
{
    static final String PROVIDER = "telnyx";
    static final String PROFILE_NAME = "edgeplane-services";

    /** An owned number. */
    record Number(String id, String phoneNumber, String customerReference)
    {
    }

    private final ProviderHttp http;
    private final String country;
    private volatile String profileId;

    TelnyxClient(final ServicesSettings settings)
    {
        this.http = new ProviderHttp(PROVIDER, settings.telnyxUrl(), settings.telnyxKey(), settings);
        this.country = settings.telnyxCountry();
        this.profileId = settings.telnyxMessagingProfileId();
    }

    /** @return the messaging profile numbers are attached to, found or created by name on first use. */
    String messagingProfileId()
    {
        requireKey();
        String id = profileId;
        if (id != null)
        {
            return id;
        }
        final List<?> found = Trees.list(http.call("GET", "/messaging_profiles?filter%5Bname%5D=" + Trees.encode(PROFILE_NAME),
            null, true).body(), "data");
        for (final Object p : found)
        {
            if (PROFILE_NAME.equals(Trees.str(p, "name")))
            {
                id = Trees.str(p, "id");
            }
        }
        if (id == null)
        {
            final Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", PROFILE_NAME);
            body.put("whitelisted_destinations", List.of(country));
            id = Trees.str(http.call("POST", "/messaging_profiles", body, false).body(), "data", "id");
        }
        if (id == null)
        {
            throw new ProviderException(PROVIDER, 200, "messaging profile answer without data.id", false, true);
        }
        profileId = id;
        return id;
    }

    List<Number> numbersFor(final String customerReference)
    {
        requireKey();
        return numbers("/phone_numbers?filter%5Bcustomer_reference%5D=" + Trees.encode(customerReference) + "&page%5Bsize%5D=250");
    }

    List<Number> allNumbers()
    {
        requireKey();
        final List<Number> all = new ArrayList<>();
        for (int page = 1; page <= 400; page++)
        {
            final List<Number> batch = numbers("/phone_numbers?page%5Bnumber%5D=" + page + "&page%5Bsize%5D=250");
            all.addAll(batch);
            if (batch.size() < 250)
            {
                break;
            }
        }
        return all;
    }

    private List<Number> numbers(final String pathAndQuery)
    {
        final List<Number> out = new ArrayList<>();
        for (final Object n : Trees.list(http.call("GET", pathAndQuery, null, true).body(), "data"))
        {
            out.add(new Number(Trees.str(n, "id"), Trees.str(n, "phone_number"), Trees.str(n, "customer_reference")));
        }
        return out;
    }

    /** @return one available SMS-capable number in {@code TELNYX_COUNTRY_CODE}. */
    String searchAvailable()
    {
        requireKey();
        final List<?> data = Trees.list(http.call("GET", "/available_phone_numbers?filter%5Bcountry_code%5D=" + Trees.encode(country)
            + "&filter%5Bfeatures%5D%5B%5D=sms&filter%5Blimit%5D=1", null, true).body(), "data");
        final String number = data.isEmpty() ? null : Trees.str(data.get(0), "phone_number");
        if (number == null)
        {
            throw new ProviderException(PROVIDER, 200, "no available phone number in " + country, false, false);
        }
        return number;
    }

    /** Orders one number for the instance; not idempotent (callers look the reference up first). */
    void order(final String phoneNumber, final String customerReference)
    {
        requireKey();
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("phone_numbers", List.of(Map.of("phone_number", phoneNumber)));
        body.put("messaging_profile_id", messagingProfileId());
        body.put("customer_reference", customerReference);
        http.call("POST", "/number_orders", body, false);
    }

    /** Releases a number; one already gone (404) counts as released. */
    void delete(final String id)
    {
        requireKey();
        try
        {
            http.call("DELETE", "/phone_numbers/" + Trees.encode(id), null, true);
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
            throw ProviderException.notConfigured(PROVIDER, ServicesSettings.TELNYX_API_KEY);
        }
    }
}
