package dev.edgeplane.services;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AgentMail's inbox API ({@code AGENTMAIL_API_URL}, bearer {@code AGENTMAIL_API_KEY}):
 * {@code POST /inboxes {client_id, display_name, domain?}} → the inbox ({@code inbox_id}, …). {@code client_id} is
 * AgentMail's idempotency handle: the same {@code client_id} again returns the existing inbox, so a create may be
 * retried freely. {@code GET /inboxes?limit=&page_token=} lists, {@code DELETE /inboxes/{inbox_id}} deletes.
 *
 * <p>Thread-safe. Blocking.
 */
final class AgentMailClient
{
    static final String PROVIDER = "agentmail";

    /** An inbox: its id (the address) and the client id it was created with. */
    record Inbox(String inboxId, String clientId)
    {
    }

    private final ProviderHttp http;
    private final String domain;

    AgentMailClient(final ServicesSettings settings)
    {
        this.http = new ProviderHttp(PROVIDER, settings.agentMailUrl(), settings.agentMailKey(), settings);
        this.domain = settings.agentMailDomain();
    }

    Inbox create(final String clientId, final String displayName)
    {
        requireKey();
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("client_id", clientId);
        body.put("display_name", displayName);
        if (domain != null)
        {
            body.put("domain", domain);
        }
        final Object answer = http.call("POST", "/inboxes", body, true).body();
        final String id = Trees.str(answer, "inbox_id");
        if (id == null)
        {
            throw new ProviderException(PROVIDER, 200, "POST /inboxes answered without inbox_id", false, true);
        }
        return new Inbox(id, Trees.str(answer, "client_id"));
    }

    List<Inbox> list()
    {
        requireKey();
        final List<Inbox> inboxes = new ArrayList<>();
        String token = null;
        for (int pages = 0; pages < 1000; pages++)
        {
            final Object answer = http.call("GET", "/inboxes?limit=100" + (token == null ? "" : "&page_token=" + Trees.encode(token)),
                null, true).body();
            for (final Object i : Trees.list(answer, "inboxes"))
            {
                inboxes.add(new Inbox(Trees.str(i, "inbox_id"), Trees.str(i, "client_id")));
            }
            token = Trees.str(answer, "next_page_token");
            if (token == null || token.isEmpty())
            {
                break;
            }
        }
        return inboxes;
    }

    /** Deletes an inbox; one already gone (404) counts as deleted. */
    void delete(final String inboxId)
    {
        requireKey();
        try
        {
            http.call("DELETE", "/inboxes/" + Trees.encode(inboxId), null, true);
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
            throw ProviderException.notConfigured(PROVIDER, ServicesSettings.AGENTMAIL_API_KEY);
        }
    }
}
