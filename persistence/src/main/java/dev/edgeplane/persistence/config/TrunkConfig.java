package dev.edgeplane.persistence.config;

import java.util.List;

/**
 * An outbound trunk of an account: calls to numbers starting with one of {@code prefixes} (longest prefix wins across
 * the account's trunks) leave through {@code uri}.
 *
 * <p>Immutable and thread-safe: {@code prefixes} is copied; null becomes empty.
 *
 * @param id       trunk id, e.g. {@code trk_…}; unique within the account.
 * @param prefixes number prefixes as E.164 digits without {@code +}, in document order.
 * @param uri      SIP URI of the gateway, e.g. {@code sip:gw.example.net:5060}.
 */
public record TrunkConfig(String id, List<String> prefixes, String uri)
{
    /**
     * Copies {@code prefixes}.
     */
    public TrunkConfig
    {
        prefixes = AccountConfig.copy(prefixes);
    }
}
