package dev.edgeplane.persistence.config;

/**
 * A phone number routed to an account ({@code POST /route}, decision 1): calls to it go to {@code target}, or to
 * {@code afterHours} while its schedule is closed.
 *
 * <p>Immutable and thread-safe.
 *
 * @param number     E.164 digits without {@code +} (see {@code dev.edgeplane.codec.E164}); unique across accounts.
 * @param target     where calls go.
 * @param scheduleId id of a schedule of the same account, or null for always open.
 * @param afterHours where calls go while the schedule is closed, or null.
 */
public record DidConfig(String number, Target target, String scheduleId, Target afterHours)
{
}
