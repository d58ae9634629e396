package dev.edgeplane.controlplane.config;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.edgeplane.persistence.config.AccountConfig;
import dev.edgeplane.persistence.config.DidConfig;

/**
 * All accounts' configuration as the hot path reads it: accounts by id and by SIP domain, DIDs by
 * E.164 digits. A new snapshot is built for every change and swapped in whole, so a request sees one
 * consistent configuration.
 *
 * <p>Immutable and thread-safe.
 */
public final class ConfigSnapshot
{
    /** A DID and the account that owns it. */
    public record DidRoute(CompiledAccount account, DidConfig did)
    {
    }

    public static final ConfigSnapshot EMPTY = new ConfigSnapshot(Map.of());

    private final Map<String, CompiledAccount> byId;
    private final Map<String, CompiledAccount> byDomain = new HashMap<>();
    private final Map<String, DidRoute> dids = new HashMap<>();

    private ConfigSnapshot(final Map<String, CompiledAccount> byId)
    {
        this.byId = byId;
        for (final CompiledAccount a : byId.values())
        {
            byDomain.put(a.domain(), a);
            for (final DidConfig d : a.config().dids())
            {
                dids.put(d.number(), new DidRoute(a, d));
            }
        }
    }

    /** Builds a snapshot of the given accounts. */
    public static ConfigSnapshot of(final List<AccountConfig> accounts)
    {
        final Map<String, CompiledAccount> byId = new HashMap<>();
        for (final AccountConfig a : accounts)
        {
            byId.put(a.id(), new CompiledAccount(a));
        }
        return new ConfigSnapshot(byId);
    }

    /** @return a snapshot with one account added, replaced ({@code updated} non-null) or removed (null). */
    public ConfigSnapshot with(final String accountId, final AccountConfig updated)
    {
        final Map<String, CompiledAccount> next = new HashMap<>(byId);
        if (updated == null)
        {
            next.remove(accountId);
        }
        else
        {
            next.put(accountId, new CompiledAccount(updated));
        }
        return new ConfigSnapshot(next);
    }

    public CompiledAccount account(final String id)
    {
        return id == null ? null : byId.get(id);
    }

    public CompiledAccount accountByDomain(final String domain)
    {
        if (domain == null)
        {
            return null;
        }
        final CompiledAccount a = byDomain.get(domain);
        return a != null ? a : byDomain.get(domain.toLowerCase(Locale.ROOT));
    }

    /** @return the DID route for E.164 digits, or null. */
    public DidRoute did(final String digits)
    {
        return digits == null ? null : dids.get(digits);
    }

    public Collection<CompiledAccount> accounts()
    {
        return byId.values();
    }

    public int size()
    {
        return byId.size();
    }
}
