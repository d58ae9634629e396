package dev.edgeplane.controlplane;

import dev.edgeplane.controlplane.state.CallEntry;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The counters a NOC watches on the SIP side, recorded where each verdict is made: digest auth results and
 * bans ({@link AuthHandler}), route decisions per action and CAC admits/refusals ({@link RouteHandler}), flow
 * steps ({@link FlowHandler}).
 *
 * <p>Every series is resolved when the surface starts, so recording is one striped add on a held data point:
 * no label lookup, no allocation. Threading: any thread (the shard writers call it).
 */
final class SipMetrics
{
    /** Auth verdicts: {@code ok} and each failure message {@link AuthHandler} answers with. */
    private final CounterDataPoint authOk;
    private final CounterDataPoint authUnknownUser;
    private final CounterDataPoint authDeviceDisabled;
    private final CounterDataPoint authInvalidCredentials;
    private final CounterDataPoint authReplay;
    private final CounterDataPoint authBanned;
    private final CounterDataPoint authOther;
    private final CounterDataPoint bans;
    private final CounterDataPoint[] decisions = new CounterDataPoint[RouteDecision.Action.values().length];
    private final CounterDataPoint replays;
    private final CounterDataPoint[] cacAdmitted = new CounterDataPoint[4];
    private final CounterDataPoint[] cacRejected = new CounterDataPoint[4];
    private final CounterDataPoint flowStart;
    private final CounterDataPoint flowStartHangup;
    private final CounterDataPoint flowStep;
    private final CounterDataPoint flowStepHangup;

    SipMetrics(final PrometheusRegistry registry)
    {
        final Counter auth = counter(registry, "edgeplane_sip_auth_total", "SIP digest verdicts of POST /auth, by result.",
            "result");
        authOk = auth.labelValues("ok");
        authUnknownUser = auth.labelValues("unknown_user");
        authDeviceDisabled = auth.labelValues("device_disabled");
        authInvalidCredentials = auth.labelValues("invalid_credentials");
        authReplay = auth.labelValues("replay");
        authBanned = auth.labelValues("banned");
        authOther = auth.labelValues("other");
        bans = counter(registry, "edgeplane_sip_auth_bans_total", "Source addresses banned for repeated auth failures.")
            .labelValues();

        final Counter decided = counter(registry, "edgeplane_sip_route_decisions_total",
            "POST /route answers by action (after CAC: a call refused for capacity is a reject).", "action");
        for (final RouteDecision.Action a : RouteDecision.Action.values())
        {
            decisions[a.ordinal()] = decided.labelValues(a.wire);
        }
        replays = counter(registry, "edgeplane_sip_route_replays_total",
            "POST /route retries answered with the Call-ID's earlier decision.").labelValues();

        final Counter admitted = counter(registry, "edgeplane_cac_admitted_total", "Calls admitted by CAC, by direction.",
            "direction");
        final Counter rejected = counter(registry, "edgeplane_cac_rejected_total", "Calls refused by CAC, by reason and direction.",
            "reason", "direction");
        for (int d = 0; d < cacAdmitted.length; d++)
        {
            final String direction = CallEntry.directionName((byte)d);
            cacAdmitted[d] = admitted.labelValues(direction);
            cacRejected[d] = rejected.labelValues("max_channels", direction);
        }

        final Counter steps = counter(registry, "edgeplane_flow_steps_total",
            "Call-flow steps answered by POST /flow: start or step, and whether the answer hangs up.", "kind", "result");
        flowStart = steps.labelValues("start", "command");
        flowStartHangup = steps.labelValues("start", "hangup");
        flowStep = steps.labelValues("step", "command");
        flowStepHangup = steps.labelValues("step", "hangup");
    }

    private static Counter counter(final PrometheusRegistry registry, final String name, final String help,
        final String... labelNames)
    {
        return Counter.builder().name(name).help(help).labelNames(labelNames).withoutExemplars().register(registry);
    }

    /** @param failure the failure message {@link AuthHandler} answers with, or null for success. */
    void auth(final String failure)
    {
        if (failure == null)
        {
            authOk.inc();
            return;
        }
        switch (failure)
        {
            case "unknown user" -> authUnknownUser.inc();
            case "device disabled" -> authDeviceDisabled.inc();
            case "invalid credentials" -> authInvalidCredentials.inc();
            case "replay" -> authReplay.inc();
            case "banned" -> authBanned.inc();
            default -> authOther.inc();
        }
    }

    void ban()
    {
        bans.inc();
    }

    void decision(final RouteDecision.Action action)
    {
        decisions[action.ordinal()].inc();
    }

    void replay()
    {
        replays.inc();
    }

    void cac(final boolean admitted, final byte direction)
    {
        final int d = direction >= 0 && direction < cacAdmitted.length ? direction : 0;
        (admitted ? cacAdmitted : cacRejected)[d].inc();
    }

    void flowStep(final boolean start, final boolean hangup)
    {
        if (start)
        {
            (hangup ? flowStartHangup : flowStart).inc();
        }
        else
        {
            (hangup ? flowStepHangup : flowStep).inc();
        }
    }
}
