package dev.edgeplane.controlplane;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.edgeplane.codec.Json;
import dev.edgeplane.controlplane.config.ConfigDocument;
import dev.edgeplane.persistence.config.AccountConfig;
import dev.edgeplane.persistence.config.ApplyResult;
import dev.edgeplane.server.Answer;
import dev.edgeplane.server.HttpExchange;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /admin/config} and {@code GET /admin/config/{accountId}}: import and export of the
 * configuration document. A document is validated whole (every problem listed in a 400), then
 * applied in one transaction; this node reloads the accounts before answering, other nodes within a
 * second through {@code NOTIFY}.
 *
 * <p>Threading: validation on the event loop; JDBC on the blocking pool.
 */
final class AdminConfigHandlers
{
    private static final Logger LOG = LoggerFactory.getLogger(AdminConfigHandlers.class);
    /** Largest configuration document accepted. */
    static final int MAX_DOCUMENT_BYTES = 8 << 20;

    private final ControlPlane cp;

    AdminConfigHandlers(final ControlPlane cp)
    {
        this.cp = cp;
    }

    Answer apply(final HttpExchange ex)
    {
        final ConfigDocument.Parsed parsed = ConfigDocument.parse(ex.body(), 0, ex.bodyLength());
        if (!parsed.valid())
        {
            return Answer.error(HttpResponseStatus.BAD_REQUEST, "invalid_config",
                "the configuration document has " + parsed.problems().size() + " problem(s); nothing was applied",
                parsed.problems());
        }
        ex.offerBlocking(() -> ex.send(store(ex, parsed)));
        return null;
    }

    /** On the blocking pool: one transaction, then this node reloads the accounts. */
    private Answer store(final HttpExchange ex, final ConfigDocument.Parsed parsed)
    {
        final ApplyResult result;
        try
        {
            result = cp.config.repository().apply(parsed.accounts());
        }
        catch (final RuntimeException e)
        {
            LOG.warn("configuration apply failed: {}", e.toString());
            return Answer.error(HttpResponseStatus.SERVICE_UNAVAILABLE, "database_unavailable",
                "the configuration could not be stored; nothing was applied");
        }
        if (!result.applied())
        {
            return Answer.error(HttpResponseStatus.BAD_REQUEST, "invalid_config",
                "the configuration conflicts with stored accounts; nothing was applied", result.problems());
        }
        for (final AccountConfig a : parsed.accounts())
        {
            cp.config.reload(a.id());
        }
        final List<Object> applied = new java.util.ArrayList<>();
        result.versions().forEach((id, version) -> applied.add(Map.of("id", id, "version", version)));
        cp.trace.audit(cp.runtime.gate().hasAdminToken(ex) ? "admin-token" : String.valueOf(ex.remoteAddress()),
            "config.apply", Map.of("accounts", applied));
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("applied", applied);
        return Answer.json(HttpResponseStatus.OK, Json.write(body));
    }

    Answer export(final HttpExchange ex)
    {
        final String accountId = ex.pathParam("accountId");
        if (!ConfigDocument.isId("acc_", accountId))
        {
            return ControlPlane.noAccount(accountId);
        }
        ex.offerBlocking(() -> ex.send(load(accountId)));
        return null;
    }

    /** On the blocking pool. */
    private Answer load(final String accountId)
    {
        final Optional<AccountConfig> account;
        try
        {
            account = cp.config.repository().load(accountId);
        }
        catch (final RuntimeException e)
        {
            return Answer.error(HttpResponseStatus.SERVICE_UNAVAILABLE, "database_unavailable",
                "the configuration store is not reachable right now");
        }
        if (account.isEmpty())
        {
            return ControlPlane.noAccount(accountId);
        }
        return Answer.json(HttpResponseStatus.OK, Json.write(Map.of("accounts", List.of(ConfigDocument.export(account.get())))));
    }
}
