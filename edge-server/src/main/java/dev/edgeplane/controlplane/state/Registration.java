package dev.edgeplane.controlplane.state;

import dev.edgeplane.state.OffHeapText;
import dev.edgeplane.state.StoreSpec;
import net.openhft.chronicle.bytes.BytesIn;
import net.openhft.chronicle.bytes.BytesMarshallable;
import net.openhft.chronicle.bytes.BytesOut;

/**
 * A device's current SIP registration, keyed by {@code user@domain}: where to send its calls and
 * until when. Kept off-heap so registrations survive a restart; expired entries read as absent and
 * are removed by the sweeper.
 *
 * <p>Not thread-safe: one instance per thread, reused through {@code OffHeapStore.get(key, using)}.
 */
public final class Registration implements BytesMarshallable
{
    private static final int MAX_TEXT = 512;

    public static final StoreSpec<Registration> STORE = new StoreSpec<>("registrations", Registration.class,
        Registration::new, 1_000_000, "1001@acme.sip.io", sample(), false);

    public String accountId = "";
    public String contact = "";
    public String sourceIp = "";
    public String userAgent = "";
    public long registeredAtMillis;
    public long expiresAtMillis;

    private static Registration sample()
    {
        final Registration r = new Registration();
        r.accountId = "acc_01jf18ah3jeb5w6dfp27sgjsbt";
        r.contact = "sip:1001@203.0.113.7:5060;transport=udp";
        r.sourceIp = "203.0.113.7";
        r.userAgent = "Yealink SIP-T46U 108.86.0.45";
        return r;
    }

    /** @return true when the registration is still valid at {@code nowMillis}. */
    public boolean liveAt(final long nowMillis)
    {
        return expiresAtMillis > nowMillis;
    }

    @Override
    public void readMarshallable(final BytesIn<?> in)
    {
        accountId = OffHeapText.readUtf8(in);
        contact = OffHeapText.readUtf8(in);
        sourceIp = OffHeapText.readUtf8(in);
        userAgent = OffHeapText.readUtf8(in);
        registeredAtMillis = in.readLong();
        expiresAtMillis = in.readLong();
    }

    @Override
    public void writeMarshallable(final BytesOut<?> out)
    {
        out.writeUtf8(accountId);
        out.writeUtf8(clip(contact));
        out.writeUtf8(clip(sourceIp));
        out.writeUtf8(clip(userAgent));
        out.writeLong(registeredAtMillis);
        out.writeLong(expiresAtMillis);
    }

    static String clip(final String s)
    {
        return s == null ? "" : s.length() > MAX_TEXT ? s.substring(0, MAX_TEXT) : s;
    }

    /** @return the store key for a device. */
    public static String key(final String user, final String domain)
    {
        return user + "@" + domain;
    }
}
