package dev.edgeplane.controlplane;

import java.io.IOException;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.edgeplane.codec.JsonBuffer;
import dev.edgeplane.controlplane.config.CompiledAccount;
import dev.edgeplane.controlplane.state.CallEntry;

/**
 * The answer of the routing brain for one call (docs/SPEC-control-plane.md, POST /route), and its
 * Kamailio-consumable {@code rtjson} rendering.
 *
 * <p>rtjson rules checked against Kamailio 5.6 (the spec's "Kamailio facts"): {@code routing} is
 * always {@code serial}; {@code headers.extra} is one string of complete header lines each ending in
 * CRLF; no key repeats.
 *
 * <p>Immutable; rendering is thread-safe given a caller-owned buffer.
 */
public record RouteDecision(
    Action action,
    CompiledAccount account,
    byte direction,
    boolean needsChannel,
    String flowId,
    String callerCid,
    String did,
    String routeUri,
    String dstUri,
    int code,
    String reason)
{
    public enum Action
    {
        FLOW("flow"), PROXY("proxy"), OUTBOUND("outbound"), REJECT("reject");

        final String wire;

        Action(final String wire)
        {
            this.wire = wire;
        }
    }

    public static final String CAC_FULL_REASON = "Maximum Calls In Progress";

    static RouteDecision reject(final CompiledAccount account, final byte direction, final int code, final String reason)
    {
        return new RouteDecision(Action.REJECT, account, direction, false, null, null, null, null, null, code, reason);
    }

    static RouteDecision flow(final CompiledAccount account, final String flowId, final String callerCid, final String did)
    {
        return new RouteDecision(Action.FLOW, account, CallEntry.INBOUND, true, flowId, callerCid, did, null, null, 0, null);
    }

    static RouteDecision proxy(final CompiledAccount account, final byte direction, final boolean needsChannel,
        final String routeUri, final String dstUri)
    {
        return new RouteDecision(Action.PROXY, account, direction, needsChannel, null, null, null, routeUri, dstUri, 0, null);
    }

    static RouteDecision outbound(final CompiledAccount account, final byte direction, final String routeUri,
        final String dstUri)
    {
        return new RouteDecision(Action.OUTBOUND, account, direction, true, null, null, null, routeUri, dstUri, 0, null);
    }

    /** @return the same call rejected because the account has no free channel. */
    RouteDecision overCapacity()
    {
        return reject(account, direction, 503, CAC_FULL_REASON);
    }

    public String accountId()
    {
        return account == null ? null : account.id();
    }

    /** Adds the decision's facts to a trace detail map. */
    /** Writes this decision's trace fields into the open object of {@code g} (the {@code route.decision} detail). */
    void describe(final JsonGenerator g) throws java.io.IOException
    {
        g.writeStringField("action", action.wire);
        if (account != null)
        {
            g.writeStringField("account_id", account.id());
        }
        g.writeStringField("direction", CallEntry.directionName(direction));
        switch (action)
        {
            case FLOW -> g.writeStringField("flow_id", flowId);
            case PROXY, OUTBOUND ->
            {
                g.writeStringField("uri", routeUri);
                g.writeStringField("dst_uri", dstUri);
            }
            case REJECT ->
            {
                g.writeNumberField("code", code);
                g.writeStringField("reason", reason);
            }
        }
    }

    /** Renders {@code {"rtjson":{...}}} into {@code buf} (reset first) and returns a copy of the bytes. */
    public byte[] render(final JsonBuffer buf)
    {
        buf.reset();
        try
        {
            final JsonGenerator g = buf.generator();
            g.writeStartObject();
            g.writeFieldName("rtjson");
            g.writeStartObject();
            g.writeStringField("action", action.wire);
            switch (action)
            {
                case FLOW ->
                {
                    g.writeStringField("account_id", account.id());
                    g.writeStringField("flow_id", flowId);
                    g.writeFieldName("vars");
                    g.writeStartObject();
                    g.writeStringField("caller_cid", callerCid);
                    g.writeStringField("did", did);
                    g.writeEndObject();
                }
                case PROXY, OUTBOUND ->
                {
                    g.writeStringField("account_id", account.id());
                    g.writeStringField("version", "1.0");
                    g.writeStringField("routing", "serial");
                    g.writeFieldName("routes");
                    g.writeStartArray();
                    g.writeStartObject();
                    g.writeStringField("uri", routeUri);
                    g.writeStringField("dst_uri", dstUri);
                    g.writeFieldName("headers");
                    g.writeStartObject();
                    g.writeStringField("extra", account.extraHeaders());
                    g.writeEndObject();
                    g.writeEndObject();
                    g.writeEndArray();
                }
                case REJECT ->
                {
                    g.writeNumberField("code", code);
                    g.writeStringField("reason", reason);
                }
            }
            g.writeEndObject();
            g.writeEndObject();
            g.flush();
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
        return buf.toByteArray();
    }
}
