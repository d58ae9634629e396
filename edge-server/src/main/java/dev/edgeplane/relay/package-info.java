/**
 * The relay control plane (seed 003, {@code docs/SPEC-relay.md}) on {@code RELAY_PORT}: what it serves,
 * who owns which state, what survives a restart, and the choices made where the contract is silent.
 *
 * <h2>API ({@code /api/v1} unless noted; JSON in and out; every error is
 * {@code {"error":{"code","message","request_id","details"}}} with {@code request_id} = {@code X-Request-Id})</h2>
 * <table>
 * <caption>Routes</caption>
 * <tr><th>route</th><th>auth</th><th>answers</th></tr>
 * <tr><td>POST /auth/plugin/login/start</td><td>none</td><td>200 {login_attempt_id, poll_token, authorize_url, expires_in, interval}</td></tr>
 * <tr><td>POST /auth/plugin/login/poll</td><td>poll_token</td><td>200 {access_token, token_type, expires_in, refresh_token, user};
 *     400 authorization_pending | slow_down | access_denied | expired_token | invalid_grant (RFC 8628 section 3.5 uses 400)</td></tr>
 * <tr><td>GET /login/plugin?attempt=, POST /login/plugin (form)</td><td>email + password</td><td>the authorize page;
 *     a failed sign-in is always 401 invalid_credentials; 429 rate_limited (+ Retry-After) past the guess limits</td></tr>
 * <tr><td>POST /auth/refresh {refresh_token}</td><td>refresh token</td><td>200 new pair; 401 invalid_refresh_token |
 *     refresh_token_reused</td></tr>
 * <tr><td>POST /auth/logout</td><td>bearer, or {refresh_token}</td><td>200 {status: logged_out}</td></tr>
 * <tr><td>GET /auth/session</td><td>bearer</td><td>{user, entitlement, usage, active_relay}</td></tr>
 * <tr><td>POST /relay/start {region?}</td><td>bearer + Idempotency-Key</td><td>201 new session; 200 existing or replay
 *     (Idempotent-Replayed: true); 400/422/409 key errors; 402 entitlement_required | payment_past_due | time_bank_empty;
 *     503 capacity_exhausted; 502 provisioner_failed; 429</td></tr>
 * <tr><td>GET /relay/active</td><td>bearer</td><td>{session} (provisioning, active or grace) or {session: null}; 429</td></tr>
 * <tr><td>POST /relay/stop</td><td>bearer</td><td>{session} after provisioning→stopped or active→grace; idempotent; 429</td></tr>
 * <tr><td>GET /relay/manifest</td><td>bearer</td><td>{default_region, image, regions[{region, name, image_id, launchable}]}</td></tr>
 * <tr><td>POST /relay/health {session_id, instance_id, public_ip?}</td><td>X-Relay-Auth</td><td>{session_id, state, reason};
 *     401 relay_auth_required | invalid_relay_auth; 403 instance_mismatch; 409 invalid_transition</td></tr>
 * <tr><td>POST /billing/checkout {plan?}</td><td>bearer</td><td>{url}; 503 billing_unavailable; 502 billing_provider_error</td></tr>
 * <tr><td>POST /billing/webhook</td><td>X-Signature</td><td>{status: applied | duplicate | stale | ignored, handler}; 401 invalid_signature</td></tr>
 * <tr><td>GET /usage/current</td><td>bearer</td><td>{cycle_start, cycle_end, included_seconds, addon_seconds, used_seconds,
 *     remaining_seconds}; 429</td></tr>
 * <tr><td>GET /capacity/status</td><td>none</td><td>{regions[{region, available, launchable}]}</td></tr>
 * <tr><td>POST /admin/users {email, password?, plan?}; POST /admin/login/approve {login_attempt_id, user_id | email};
 *     POST /admin/login/deny; GET /admin/relay/sessions/{id}; POST /admin/relay/sessions/{id}/transition {to, reason?}</td>
 *     <td>x-admin-token</td><td>operator support</td></tr>
 * </table>
 *
 * <h2>Ownership and durability</h2>
 * Single writer per key: everything about a user (account and Time Bank, relay sessions, refresh-token families,
 * idempotency keys, webhook deliveries, rate-limit windows) changes only on {@code shards().forKey(userId)}; a login
 * attempt on its own id's shard until it names a user. Kept off-heap (Chronicle Map, {@code data/state/relay-*.cm})
 * because they must survive a restart: sessions (a running relay, its grace timer and metering), accounts
 * (entitlement and used time), token families (logins; only SHA-256 hashes of refresh tokens), idempotency keys (a
 * retry after a restart is still a replay), login attempts (a login in progress) and webhook deliveries
 * (deduplication). Kept on-heap: rate-limit windows (a restart at worst grants a fresh minute) and region capacity
 * in use (derived from the live sessions at start-up). Users are in PostgreSQL, written synchronously by the admin
 * API (low volume) and cached in memory. History goes through the journal, acknowledged only once durable, and is
 * written behind by {@link dev.edgeplane.relay.RelaySinks} into {@code relay_sessions}, {@code relay_transitions},
 * {@code relay_billing_events}, {@code relay_subscriptions}, {@code relay_usage}, {@code relay_auth_events}
 * (V4__relay.sql).
 *
 * <h2>Decisions</h2>
 * <ul>
 * <li>Secrets derive from {@code RELAY_JWT_SECRET} (HMAC per purpose): the HS256 key, the refresh-token MAC key and
 *     the relay-auth key. Unset: a random per-process secret with a warning (tokens and relay secrets then end with
 *     the process). Refresh tokens are {@code family | generation | MAC}, so the server stores only hashes yet can
 *     hand a concurrent refresh inside {@code RELAY_REFRESH_GRACE_S} the same successor; access tokens are
 *     deterministic for the same claims, so the pair is identical.</li>
 * <li>{@code X-Relay-Auth} is HMAC(relay-auth key, session id), given to the instance at launch (EC2 {@code UserData});
 *     a report must carry the session's secret (401 otherwise) and come from the session's instance (403 otherwise).
 *     Operators and relay simulators read it from {@code GET /admin/relay/sessions/{id}}.</li>
 * <li>Timed transitions take effect at their deadline, not when the timer pass notices them: health lost at last
 *     report + {@code RELAY_HEALTH_TIMEOUT_S}, grace over at its end, Time Bank empty at the instant it ran out;
 *     metering never draws past them.</li>
 * <li>A start during grace resumes the running relay (grace → active); a health report resumes only a grace caused
 *     by lost health, never one the user asked for or an empty Time Bank.</li>
 * <li>Rate-limit headers follow draft-ietf-httpapi-ratelimit-headers 08-11: {@code RateLimit-Policy: "relay-start";q=6;w=60}
 *     and {@code RateLimit: "relay-start";r=<left>;t=<seconds to reset>}; fixed one-minute windows per user.</li>
 * <li>Billing: a delivery is identified by the SHA-256 of its raw body; subscription events are ordered by
 *     {@code data.attributes.updated_at}; plans come from {@code RELAY_PLANS_JSON} (variant → plan, rank); each
 *     subscription quantity above 1 is one add-on of {@code RELAY_ADDON_SECONDS}; the user is named by
 *     {@code meta.custom_data.user_id} (set by our checkout) or the email.</li>
 * <li>A user created without a password can only log in through operator approval; passwords are PBKDF2-HMAC-SHA256
 *     with at least 210 000 iterations.</li>
 * <li>The authorize page (SPEC-relay.md names no codes for it) limits password guesses per account (the e-mail,
 *     case-folded; {@code RELAY_SIGNIN_ACCOUNT_LIMIT}) and per source address (an IPv6 client by its /64;
 *     {@code RELAY_SIGNIN_ADDRESS_LIMIT}) in a fixed {@code RELAY_SIGNIN_WINDOW_S} window from the key's first guess,
 *     counted before the hash runs; past a limit every sign-in for that key is {@code 429 rate_limited} with
 *     {@code Retry-After}, whatever the password. A success clears the account's count. The counts are on-heap
 *     (a restart grants fresh windows), bounded at 65 536 keys per kind and swept; a new key meeting a full store
 *     is refused rather than let through uncounted. Every failed sign-in (unknown e-mail, wrong password, attempt
 *     unknown, expired or already decided) is the same {@code 401 invalid_credentials}, so a right password cannot
 *     be told from a wrong one; for an attempt that cannot be approved the user's hash is never tried, the
 *     password is hashed against a dummy of the same cost. The GET of the page still says when a link is unknown
 *     (404), expired (410) or decided (409): that answer involves no password. Behind a reverse proxy the
 *     address is the proxy's (the relay reads no forwarding header), so raise the address limit there.</li>
 * </ul>
 *
 * <h2>Settings</h2>
 * {@code RELAY_JWT_SECRET}, {@code RELAY_ACCESS_TTL_S} (900), {@code RELAY_JWT_LEEWAY_S} (30), {@code RELAY_REFRESH_TTL_S}
 * (30 days), {@code RELAY_REFRESH_GRACE_S} (10), {@code RELAY_LOGIN_TTL_S} (600), {@code RELAY_LOGIN_INTERVAL_S} (5),
 * {@code RELAY_PUBLIC_URL}, {@code RELAY_PASSWORD_ITERATIONS} (210000, minimum),
 * {@code RELAY_SIGNIN_ACCOUNT_LIMIT} (10), {@code RELAY_SIGNIN_ADDRESS_LIMIT} (30), {@code RELAY_SIGNIN_WINDOW_S} (900), {@code RELAY_HEALTH_TIMEOUT_S} (60),
 * {@code RELAY_GRACE_S} (120), {@code RELAY_PROVISION_TIMEOUT_S} (600), {@code RELAY_IDEMPOTENCY_TTL_S} (3600),
 * {@code RELAY_SESSION_RETENTION_S} (1 day), {@code RELAY_SWEEP_MS} (1000), {@code RELAY_MANIFEST_JSON},
 * {@code RELAY_PLANS_JSON}, {@code RELAY_ADDON_SECONDS} (36000), {@code RELAY_GRANT_CYCLE_DAYS} (30),
 * {@code RELAY_PROVISIONER} (sim, or ec2 when {@code RELAY_PROVISIONER_URL} is set), {@code RELAY_PROVISIONER_URL},
 * {@code RELAY_PROVISIONER_TOKEN}, {@code RELAY_PROVISIONER_TIMEOUT_MS} (5000), {@code RELAY_PROVISIONER_RETRIES} (3),
 * {@code RELAY_SIM_LAUNCH_MS} (0), {@code RELAY_SIM_BOOT_MS} (2000), {@code RELAY_SIM_REPORT_HEALTH} (true),
 * {@code LEMONSQUEEZY_API_BASE} (https://api.lemonsqueezy.com), {@code LEMONSQUEEZY_API_KEY},
 * {@code LEMONSQUEEZY_STORE_ID}, {@code LEMONSQUEEZY_VARIANT_ID}, {@code LEMONSQUEEZY_WEBHOOK_SECRET}.
 */
package dev.edgeplane.relay;
