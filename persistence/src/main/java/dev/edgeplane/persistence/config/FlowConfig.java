package dev.edgeplane.persistence.config;

/**
 * A call flow of an account, run by {@code POST /flow} (docs/SPEC-control-plane.md, "POST /flow").
 *
 * <p>{@code definitionJson} is kept in canonical form (see {@link CanonicalJson}): compact, object keys in the order
 * PostgreSQL {@code jsonb} keeps them (shorter keys first, then by UTF-8 bytes), numbers in plain notation. The
 * constructor canonicalises what it is given, so a flow read back from the database equals the one applied, whatever
 * key order or spacing the document used. Text that is not valid JSON is kept as given, for
 * {@link ConfigRepository#apply} to report.
 *
 * <p>Immutable and thread-safe.
 *
 * @param id             flow id, e.g. {@code flow_…}; unique within the account.
 * @param name           display name; may be null.
 * @param definitionJson the flow definition, a JSON object (stored as {@code jsonb}).
 */
public record FlowConfig(String id, String name, String definitionJson)
{
    /**
     * Canonicalises {@code definitionJson}.
     */
    public FlowConfig
    {
        if (null != definitionJson)
        {
            final String canonical = CanonicalJson.of(definitionJson);
            if (null != canonical)
            {
                definitionJson = canonical;
            }
        }
    }
}
