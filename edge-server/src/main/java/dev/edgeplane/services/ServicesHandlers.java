package dev.edgeplane.services;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

import dev.edgeplane.codec.Fields;
import dev.edgeplane.codec.Json;
import dev.edgeplane.server.HttpExchange;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * All HTTP glue of the services API, and the only class of this package that knows the server's exchange type:
 * bearer check, body decoding and validation on the event loop (cheap, no I/O), then the work handed to
 * {@link ServicesWorkers} and its {@link ServicesResult} rendered as JSON or the one error body.
 *
 * <p>Threading: handler methods run on the connection's event loop; the answers are sent from a worker thread
 * (the exchange's respond methods are safe from any thread).
 */
final class ServicesHandlers
{
    private static final Logger LOG = LoggerFactory.getLogger(ServicesHandlers.class);

    private final ServicesAuth auth;
    private final ServicesWorkers workers;
    private final Supplier<InstanceProvisioner> provisioner;
    private final String defaultImage;
    private final int retryAfterSeconds;

    /**
     * @param provisioner null until the services database is ready (start-up failed or still recovering):
     *                    authenticated requests then get 503.
     */
    ServicesHandlers(final ServicesAuth auth, final ServicesWorkers workers, final Supplier<InstanceProvisioner> provisioner,
        final String defaultImage, final int retryAfterSeconds)
    {
        this.auth = auth;
        this.workers = workers;
        this.provisioner = provisioner;
        this.defaultImage = defaultImage;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    void registry(final HttpExchange ex)
    {
        if (authorized(ex))
        {
            send(ex, ServicesResult.json(200, InstanceProvisioner.registry()));
        }
    }

    void create(final HttpExchange ex)
    {
        final Fields f = authorizedBody(ex);
        if (f == null)
        {
            return;
        }
        final ServicesRequests.Parsed<CreateRequest> parsed = ServicesRequests.create(f, defaultImage);
        if (invalid(ex, parsed))
        {
            return;
        }
        run(ex, p -> p.create(parsed.value()));
    }

    void destroy(final HttpExchange ex)
    {
        if (!authorized(ex))
        {
            return;
        }
        final String id = instanceId(ex);
        if (id != null)
        {
            run(ex, p -> p.destroy(id));
        }
    }

    void statusBatch(final HttpExchange ex)
    {
        final Fields f = authorizedBody(ex);
        if (f == null)
        {
            return;
        }
        final ServicesRequests.Parsed<List<String>> parsed = ServicesRequests.statusBatch(f);
        if (invalid(ex, parsed))
        {
            return;
        }
        run(ex, p -> p.statusBatch(parsed.value()));
    }

    void configure(final HttpExchange ex)
    {
        final Fields f = authorizedBody(ex);
        if (f == null)
        {
            return;
        }
        final String id = instanceId(ex);
        if (id == null)
        {
            return;
        }
        final ServicesRequests.Parsed<Map<String, String>> parsed = ServicesRequests.configure(f);
        if (invalid(ex, parsed))
        {
            return;
        }
        run(ex, p -> p.configure(id, parsed.value()));
    }

    void redeploy(final HttpExchange ex)
    {
        if (!authorized(ex))
        {
            return;
        }
        final String id = instanceId(ex);
        if (id != null)
        {
            run(ex, p -> p.redeploy(id));
        }
    }

    // ---- glue ----

    private boolean authorized(final HttpExchange ex)
    {
        switch (auth.check(ex.header(HttpHeaderNames.AUTHORIZATION)))
        {
            case OK:
                return true;
            case NOT_CONFIGURED:
                ex.respondError(HttpResponseStatus.SERVICE_UNAVAILABLE, "not_configured",
                    "SERVICES_API_KEY is not configured on this server: the services API refuses every request until it is set",
                    Map.of("setting", ServicesSettings.API_KEY));
                return false;
            case MISSING:
                ex.responseHeaders().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
                ex.respondError(HttpResponseStatus.UNAUTHORIZED, "unauthorized", "missing bearer token (Authorization: Bearer <SERVICES_API_KEY>)", null);
                return false;
            default:
                ex.responseHeaders().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"");
                ex.respondError(HttpResponseStatus.UNAUTHORIZED, "unauthorized", "invalid bearer token", null);
                return false;
        }
    }

    private Fields authorizedBody(final HttpExchange ex)
    {
        return authorized(ex) ? ex.decodeBody() : null;
    }

    private static String instanceId(final HttpExchange ex)
    {
        final String id = ex.pathParam("instanceId");
        if (!ServicesRequests.validInstanceId(id))
        {
            ex.respondError(HttpResponseStatus.BAD_REQUEST, "invalid_instance_id",
                "instanceId must be 1-64 characters of A-Z, a-z, 0-9, '_' and '-'", null);
            return null;
        }
        return id;
    }

    private static boolean invalid(final HttpExchange ex, final ServicesRequests.Parsed<?> parsed)
    {
        if (parsed.problems().isEmpty())
        {
            return false;
        }
        ex.respondError(HttpResponseStatus.BAD_REQUEST, "invalid_request", "the request body has problems", parsed.problems());
        return true;
    }

    /** Runs the work on a services worker; a full queue is 503 with Retry-After. */
    private void run(final HttpExchange ex, final Function<InstanceProvisioner, ServicesResult> work)
    {
        final InstanceProvisioner p = provisioner.get();
        if (p == null)
        {
            ex.responseHeaders().set(HttpHeaderNames.RETRY_AFTER, retryAfterSeconds);
            ex.respondError(HttpResponseStatus.SERVICE_UNAVAILABLE, "services_unavailable",
                "the services database is not ready", null);
            return;
        }
        final boolean taken = workers.offer(() ->
        {
            ServicesResult result;
            try
            {
                result = work.apply(p);
            }
            catch (final ProviderException e)
            {
                result = InstanceProvisioner.providerError("recovery", e);
            }
            catch (final ServicesRepository.ServicesStoreException e)
            {
                LOG.warn("services database: {}", e.getMessage());
                result = ServicesResult.error(503, "database_unavailable", "the services database is unavailable", null);
            }
            catch (final RuntimeException e)
            {
                LOG.error("services request failed", e);
                result = ServicesResult.error(500, "internal_error", "unexpected error", null);
            }
            catch (final Error e)
            {
                // Answer, then let the error go on: the saga log tells start-up recovery what to undo.
                send(ex, ServicesResult.error(500, "internal_error", "unexpected error", null));
                throw e;
            }
            send(ex, result);
        });
        if (!taken)
        {
            ex.responseHeaders().set(HttpHeaderNames.RETRY_AFTER, retryAfterSeconds);
            ex.respondError(HttpResponseStatus.SERVICE_UNAVAILABLE, "overloaded", "too many provisioning requests queued", null);
        }
    }

    private static void send(final HttpExchange ex, final ServicesResult r)
    {
        final HttpResponseStatus status = HttpResponseStatus.valueOf(r.status());
        if (r.isError())
        {
            ex.respondError(status, r.code(), r.message(), r.details());
        }
        else
        {
            ex.respondJson(status, Json.write(r.body()));
        }
    }
}
