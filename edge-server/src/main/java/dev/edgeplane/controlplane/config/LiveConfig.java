package dev.edgeplane.controlplane.config;

import java.util.List;
import java.util.Optional;

import dev.edgeplane.persistence.DatabaseSettings;
import dev.edgeplane.persistence.config.AccountConfig;
import dev.edgeplane.persistence.config.ConfigChangeListener;
import dev.edgeplane.persistence.config.ConfigRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configuration the hot path reads: an immutable {@link ConfigSnapshot} swapped whenever
 * PostgreSQL announces a change ({@code LISTEN edgeplane_config}), so {@code /route} sees a change
 * within a second on every node without a restart. After a lost listener connection everything is
 * reloaded, because notifications sent meanwhile are gone.
 *
 * <p>Threading: {@link #snapshot()} from any thread (a volatile read). Reloads run on the listener
 * thread or the caller of {@link #reload}; they are serialized by this object's monitor.
 */
public final class LiveConfig implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(LiveConfig.class);

    private final ConfigRepository repository;
    private volatile ConfigSnapshot snapshot = ConfigSnapshot.EMPTY;
    private ConfigChangeListener listener;

    public LiveConfig(final ConfigRepository repository)
    {
        this.repository = repository;
    }

    /** Loads every account (blocking) and starts listening for changes. */
    public LiveConfig start(final DatabaseSettings settings)
    {
        reloadAll();
        listener = ConfigChangeListener.start(settings, this::reload, this::reloadAll);
        return this;
    }

    /** @return the current configuration. */
    public ConfigSnapshot snapshot()
    {
        return snapshot;
    }

    public ConfigRepository repository()
    {
        return repository;
    }

    /** Reloads one account from PostgreSQL (blocking). */
    public synchronized void reload(final String accountId)
    {
        try
        {
            final Optional<AccountConfig> account = repository.load(accountId);
            snapshot = snapshot.with(accountId, account.orElse(null));
            LOG.info("configuration of {} reloaded (version {})", accountId, account.map(AccountConfig::version).orElse(0L));
        }
        catch (final RuntimeException e)
        {
            LOG.warn("could not reload configuration of {}: {}", accountId, e.toString());
        }
    }

    /** Reloads every account (blocking). */
    public synchronized void reloadAll()
    {
        try
        {
            final List<AccountConfig> accounts = repository.loadAll();
            snapshot = ConfigSnapshot.of(accounts);
            LOG.info("configuration loaded: {} accounts", accounts.size());
        }
        catch (final RuntimeException e)
        {
            LOG.warn("could not load configuration: {}", e.toString());
        }
    }

    @Override
    public void close()
    {
        if (listener != null)
        {
            listener.close();
        }
    }
}
