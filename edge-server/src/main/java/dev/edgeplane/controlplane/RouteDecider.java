package dev.edgeplane.controlplane;

import java.time.Instant;

import dev.edgeplane.codec.E164;
import dev.edgeplane.controlplane.config.CompiledAccount;
import dev.edgeplane.controlplane.config.ConfigSnapshot;
import dev.edgeplane.controlplane.state.CallEntry;
import dev.edgeplane.controlplane.state.Registration;
import dev.edgeplane.persistence.config.DeviceConfig;
import dev.edgeplane.persistence.config.ScheduleConfig;
import dev.edgeplane.persistence.config.Target;
import dev.edgeplane.persistence.config.TrunkConfig;
import dev.edgeplane.state.OffHeapStore;

/**
 * The routing brain: decides what happens to a call from configuration and registrations, in the
 * order docs/SPEC-control-plane.md gives (inbound DID, internal extension, outbound PSTN, reject).
 * Channel admission (CAC) is not decided here: the account's shard admits or refuses decisions with
 * {@link RouteDecision#needsChannel()} in the same step as it records the call.
 *
 * <p>Thread-safe: reads an immutable snapshot and the registration store; each thread passes its own
 * reusable {@link Registration}.
 */
public final class RouteDecider
{
    private final OffHeapStore<Registration> registrations;
    private final String wholesaleTrunkUri;

    public RouteDecider(final OffHeapStore<Registration> registrations, final String wholesaleTrunkUri)
    {
        this.registrations = registrations;
        this.wholesaleTrunkUri = wholesaleTrunkUri;
    }

    /**
     * @param from      caller: a SIP user, a number, or a SIP URI.
     * @param authUser  the digest username the SIP layer authenticated, or null.
     */
    public RouteDecision decide(final ConfigSnapshot config, final String from, final String fromDomain, final String to,
        final String authUser, final Instant now, final Registration reusable)
    {
        final String toUser = userPart(to);
        final String toDigits = E164.digits(toUser);

        // 1. Inbound: the destination is one of our DIDs.
        final ConfigSnapshot.DidRoute didRoute = config.did(toDigits);
        if (didRoute != null)
        {
            final CompiledAccount account = didRoute.account();
            Target target = didRoute.did().target();
            final ScheduleConfig schedule = account.schedule(didRoute.did().scheduleId());
            if (schedule != null && !schedule.isOpen(now))
            {
                target = didRoute.did().afterHours();
                if (target == null)
                {
                    return RouteDecision.reject(account, CallEntry.INBOUND, 480, "Closed");
                }
            }
            final String callerCid = callerId(from);
            return switch (target.kind())
            {
                case FLOW -> RouteDecision.flow(account, target.value(), callerCid, toDigits);
                case DEVICE -> toDevice(account, target.value(), CallEntry.INBOUND, true, now, reusable);
                case NUMBER -> outbound(account, CallEntry.INBOUND, target.value());
            };
        }

        // 2./3. The caller is one of an account's enabled devices.
        final CompiledAccount account = config.accountByDomain(fromDomain);
        final String callerUser = authUser != null && !authUser.isEmpty() ? authUser : userPart(from);
        final DeviceConfig caller = account == null ? null : account.device(callerUser);
        if (caller == null || !caller.enabled())
        {
            return RouteDecision.reject(account, (byte)0, 403, "Forbidden");
        }
        if (account.device(toUser) != null)
        {
            return toDevice(account, toUser, CallEntry.INTERNAL, false, now, reusable);
        }
        if (toDigits != null && E164.isPstn(toDigits))
        {
            return outbound(account, CallEntry.OUTBOUND, toDigits);
        }
        return RouteDecision.reject(account, (byte)0, 404, "Not Found");
    }

    private RouteDecision toDevice(final CompiledAccount account, final String username, final byte direction,
        final boolean needsChannel, final Instant now, final Registration reusable)
    {
        final DeviceConfig device = account.device(username);
        final Registration reg = registrations.get(Registration.key(username, account.domain()), reusable);
        if (device == null || !device.enabled() || reg == null || !reg.liveAt(now.toEpochMilli()))
        {
            return RouteDecision.reject(account, direction, 480, "Temporarily Unavailable");
        }
        return RouteDecision.proxy(account, direction, needsChannel, "sip:" + username + "@" + account.domain(), reg.contact);
    }

    private RouteDecision outbound(final CompiledAccount account, final byte direction, final String digits)
    {
        final TrunkConfig trunk = account.trunkFor(digits);
        final String trunkUri = trunk != null ? trunk.uri() : wholesaleTrunkUri;
        if (trunkUri == null || trunkUri.isEmpty())
        {
            return RouteDecision.reject(account, direction, 503, "No Route To Destination");
        }
        final int colon = trunkUri.indexOf(':');
        final String routeUri = trunkUri.substring(0, colon + 1) + "+" + digits + "@" + trunkUri.substring(colon + 1);
        return RouteDecision.outbound(account, direction, routeUri, trunkUri);
    }

    /** @return the user part of {@code sip:user@host}, {@code user@host} or {@code user}. */
    static String userPart(final String s)
    {
        if (s == null)
        {
            return null;
        }
        int start = 0;
        if (s.startsWith("sip:"))
        {
            start = 4;
        }
        else if (s.startsWith("sips:"))
        {
            start = 5;
        }
        else if (s.startsWith("tel:"))
        {
            start = 4;
        }
        int end = s.indexOf('@', start);
        if (end < 0)
        {
            end = s.indexOf(';', start);
        }
        return s.substring(start, end < 0 ? s.length() : end);
    }

    /** @return the E.164 digits of a caller (or callee), or its user part when it is not a number. */
    static String callerId(final String from)
    {
        final String user = userPart(from);
        final String digits = E164.digits(user);
        return digits != null ? digits : user;
    }
}
