package dev.edgeplane.relay;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Iterator;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Limits password guesses on the authorize page: per account (the e-mail as typed, case-folded) and per
 * source address (an IPv6 client counts by its /64, which one host usually holds whole), each a fixed window
 * that starts with the key's first guess. A guess is counted <em>before</em> the password is hashed, so
 * concurrent guesses cannot slip past the limit while earlier ones are still being checked; a successful
 * sign-in clears the account's count and gives its guess back to the address. Once a key has used its
 * guesses, every further sign-in for it is refused with {@code 429} until its window ends, whatever the
 * password, so the refusal says nothing about the password either.
 *
 * <p>Each store is bounded ({@link #capacity}) and swept of ended windows by the relay sweeper. A new key
 * that finds its store full even after a sweep is refused (fail closed): filling a store takes more
 * addresses than an attacker of the page usually has, and letting the guess through uncounted would reopen
 * the hole.
 *
 * <p>Thread-safe: guesses are counted on event loops and settled on the blocking pool; each count changes
 * atomically ({@link ConcurrentHashMap#compute}).
 */
final class SignInThrottle
{
    /** Default entries per store. */
    static final int CAPACITY_DEFAULT = 65_536;

    /** The outcome of {@link #admit}: {@code 0} when the guess may be checked, else seconds to wait. */
    private static final long ADMITTED = 0;

    private static final class Window
    {
        final long startMillis;
        final int count;

        Window(final long startMillis, final int count)
        {
            this.startMillis = startMillis;
            this.count = count;
        }
    }

    private final ConcurrentHashMap<String, Window> accounts = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Window> addresses = new ConcurrentHashMap<>();
    private final int accountLimit;
    private final int addressLimit;
    private final long windowMillis;
    private final int capacity;

    SignInThrottle(final int accountLimit, final int addressLimit, final long windowMillis, final int capacity)
    {
        this.accountLimit = accountLimit;
        this.addressLimit = addressLimit;
        this.windowMillis = windowMillis;
        this.capacity = capacity;
    }

    /** @return the account key of an e-mail address as typed. */
    static String accountKey(final String email)
    {
        return email.trim().toLowerCase(Locale.ROOT);
    }

    /** @return the address key of a peer: the IPv4 address, or the /64 of an IPv6 one. */
    static String addressKey(final SocketAddress peer)
    {
        if (!(peer instanceof InetSocketAddress) || ((InetSocketAddress)peer).getAddress() == null)
        {
            return "unknown";
        }
        final InetAddress address = ((InetSocketAddress)peer).getAddress();
        if (address instanceof Inet6Address)
        {
            final byte[] b = address.getAddress();
            final StringBuilder key = new StringBuilder(24);
            for (int i = 0; i < 8; i += 2)
            {
                key.append(Integer.toHexString(((b[i] & 0xff) << 8) | (b[i + 1] & 0xff))).append(':');
            }
            return key.append(":/64").toString();
        }
        return address.getHostAddress();
    }

    /**
     * Counts one guess against both keys if both have guesses left.
     *
     * @return {@code 0} when the guess is counted and may be checked; otherwise the seconds until the
     *         blocking window ends (nothing is counted).
     */
    long admit(final String account, final String address, final long now)
    {
        final long accountWait = take(accounts, account, accountLimit, now);
        if (accountWait != ADMITTED)
        {
            return accountWait;
        }
        final long addressWait = take(addresses, address, addressLimit, now);
        if (addressWait != ADMITTED)
        {
            give(accounts, account);
            return addressWait;
        }
        return ADMITTED;
    }

    /** A counted guess was right: the account starts afresh and the address gets its guess back. */
    void succeeded(final String account, final String address)
    {
        accounts.remove(account);
        give(addresses, address);
    }

    /** Forgets windows that have ended. */
    void sweep(final long now)
    {
        sweep(accounts, now);
        sweep(addresses, now);
    }

    /** @return keys held (both stores), for tests and metrics. */
    int size()
    {
        return accounts.size() + addresses.size();
    }

    private long take(final ConcurrentHashMap<String, Window> store, final String key, final int limit, final long now)
    {
        if (!store.containsKey(key) && store.size() >= capacity)
        {
            sweep(store, now);
            if (store.size() >= capacity)
            {
                return Math.max(1, windowMillis / 1000); // full of live windows: refuse rather than not count
            }
        }
        final long[] wait = {ADMITTED};
        store.compute(key, (k, w) ->
        {
            if (w == null || now >= w.startMillis + windowMillis || now < w.startMillis)
            {
                return new Window(now, 1); // a new window (or the clock went back: start over)
            }
            if (w.count >= limit)
            {
                wait[0] = Math.max(1, (w.startMillis + windowMillis - now + 999) / 1000);
                return w;
            }
            return new Window(w.startMillis, w.count + 1);
        });
        return wait[0];
    }

    private static void give(final ConcurrentHashMap<String, Window> store, final String key)
    {
        store.computeIfPresent(key, (k, w) -> w.count <= 1 ? null : new Window(w.startMillis, w.count - 1));
    }

    private void sweep(final ConcurrentHashMap<String, Window> store, final long now)
    {
        final Iterator<Window> it = store.values().iterator();
        while (it.hasNext())
        {
            final Window w = it.next();
            if (now >= w.startMillis + windowMillis || now < w.startMillis)
            {
                it.remove();
            }
        }
    }
}
