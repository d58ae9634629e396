package dev.edgeplane.persistence.config;

/**
 * Where a DID (or its after-hours branch) sends a call: a flow, a device of the same account, or an external number.
 * In a configuration document: {@code {"type":"flow","id"}}, {@code {"type":"device","username"}} or
 * {@code {"type":"number","number"}}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param kind  what {@code value} names.
 * @param value a flow id, a device username, or E.164 digits without {@code +}.
 */
public record Target(Kind kind, String value)
{
    /**
     * The kinds of target, with their wire names. Immutable and thread-safe.
     */
    public enum Kind
    {
        /** A flow of the account; value = flow id. */
        FLOW("flow"),
        /** A device of the account; value = its username. */
        DEVICE("device"),
        /** An external number; value = E.164 digits. */
        NUMBER("number");

        private final String wireName;

        Kind(final String wireName)
        {
            this.wireName = wireName;
        }

        /**
         * @return the {@code type} value in a configuration document and in the database, e.g. {@code flow}.
         */
        public String wireName()
        {
            return wireName;
        }

        /**
         * @param s a {@code type} value.
         * @return the kind whose {@link #wireName()} equals {@code s} exactly, or null (including for null).
         */
        public static Kind parse(final String s)
        {
            if (null == s)
            {
                return null;
            }
            for (final Kind kind : values())
            {
                if (kind.wireName.equals(s))
                {
                    return kind;
                }
            }
            return null;
        }
    }
}
