/**
 * The services API (seed 002, docs/SPEC-services.md): provisioning of Railway services, OpenRouter keys, AgentMail
 * inboxes and Telnyx numbers for the pool manager, on {@code PORT} (3002).
 *
 * <h2>Layout</h2>
 * {@link dev.edgeplane.services.ServicesSurface} wires the surface; {@code ServicesHandlers} is the only class that
 * touches the server's HTTP types; the logic ({@code InstanceProvisioner}: saga, destroy, configure, redeploy,
 * status), the provider clients ({@code RailwayClient}, {@code OpenRouterClient}, {@code AgentMailClient},
 * {@code TelnyxClient} over {@code ProviderHttp}) and the database ({@code ServicesRepository},
 * {@link dev.edgeplane.services.ServicesSchema}) are plain classes without Netty.
 *
 * <h2>Decisions where the seed and the spec are silent</h2>
 * <ul>
 *   <li><b>No key configured is 503 {@code not_configured}</b>, on every endpoint but {@code /healthz}: a server
 *   misconfiguration, not a caller's mistake; never open. A missing or wrong key is 401 with
 *   {@code WWW-Authenticate: Bearer}. Keys are compared as SHA-256 digests with {@code MessageDigest.isEqual}.</li>
 *   <li><b>Own worker pool</b> ({@code SERVICES_WORKERS}): provider calls take seconds with retries, so they do not
 *   share the server's four-thread blocking pool; a full queue is 503 with {@code Retry-After}.</li>
 *   <li><b>Saga log in the services database</b> ({@code service_sagas}, {@code service_saga_steps}): each step is
 *   written {@code started} before its provider call and {@code done} with the resource id after it. The seed's rows
 *   are written only when the whole create succeeded, in one transaction, so {@code instance_infra} never shows a
 *   half-made instance. The OpenRouter secret sits in the step's metadata until then and is removed from the log at
 *   commit (it lives on in {@code instance_services.env_value}, as the seed stores it).</li>
 *   <li><b>Compensation is by record and by lookup</b>: undoing a step deletes the recorded resource and anything the
 *   provider lists under the instance's name / {@code client_id} / {@code customer_reference}, which covers a
 *   create whose answer was lost (timeout, crash between the call and the log write).</li>
 *   <li><b>An undo that cannot finish</b> (provider down) leaves the saga {@code running}; it is retried at start-up
 *   and before any later request for that instance, which therefore never sees a half-undone predecessor.</li>
 *   <li><b>Crash recovery compensates</b> an interrupted create (it does not resume it): the caller got no 201, and
 *   its retry with the same {@code instanceId} creates afresh. An interrupted destroy is finished.</li>
 *   <li><b>Destroy keeps the rows when a step fails</b> (502 naming the step) so it can be retried; a resource
 *   already gone (404, Railway "not found") counts as destroyed.</li>
 *   <li><b>Retries</b>: 429 always (after {@code Retry-After} or the rate-limit reset, up to
 *   {@code SERVICES_PROVIDER_MAX_WAIT_MS}), connection refused always, 5xx and timeouts only for idempotent calls; a
 *   non-idempotent create that timed out is looked up before anything is tried again.</li>
 *   <li><b>Serialization</b> of create / destroy / configure / redeploy per instance is an in-process fair lock:
 *   one services node per database (a second node would need a PostgreSQL advisory lock per instance).</li>
 *   <li><b>Railway token</b> is sent as {@code Authorization: Bearer} (account / workspace token); a project token
 *   would need the {@code Project-Access-Token} header instead.</li>
 *   <li><b>{@code /status/batch}</b> reports every service of the project that is a recorded instance or named
 *   {@code convos-agent-*}, in the seed's shape, and stores the reported {@code deploy_status} on the rows.</li>
 * </ul>
 */
package dev.edgeplane.services;
