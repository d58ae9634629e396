package dev.edgeplane.relay.state;

import dev.edgeplane.state.OffHeapText;
import dev.edgeplane.state.StoreSpec;
import net.openhft.chronicle.bytes.BytesIn;
import net.openhft.chronicle.bytes.BytesMarshallable;
import net.openhft.chronicle.bytes.BytesOut;

/**
 * A billing webhook delivery already handled, keyed by the SHA-256 of its raw body (a provider retry resends
 * the same bytes), so a replayed delivery changes nothing. Owned by the shard of the user the delivery is
 * about; kept off-heap so deduplication survives a restart.
 *
 * <p>Not thread-safe: one instance per use, filled through {@code OffHeapStore.get(key, using)}.
 */
public final class WebhookDelivery implements BytesMarshallable
{
    public static final StoreSpec<WebhookDelivery> STORE = new StoreSpec<>("relay-webhook-deliveries", WebhookDelivery.class,
        WebhookDelivery::new, 50_000, "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", sample(), false);

    public String userId = "";
    public long receivedAtMillis;

    private static WebhookDelivery sample()
    {
        final WebhookDelivery d = new WebhookDelivery();
        d.userId = "usr_01jzqwjn803wtnhc445bvjenzc";
        return d;
    }

    @Override
    public void readMarshallable(final BytesIn<?> in)
    {
        userId = OffHeapText.readUtf8(in);
        receivedAtMillis = in.readLong();
    }

    @Override
    public void writeMarshallable(final BytesOut<?> out)
    {
        out.writeUtf8(userId);
        out.writeLong(receivedAtMillis);
    }
}
