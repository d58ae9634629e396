package dev.edgeplane.controlplane.flow;

/**
 * The command types a flow node may issue (docs/SPEC-control-plane.md, "POST /flow — the command
 * loop") and the fields each accepts, in the spec's order.
 *
 * <p>A field the spec marks optional is optional here; every other field is required, so the
 * command the media engine receives always carries it. Integer ranges bound what a caller can
 * ask the media engine to do (digits, timeouts, recording length).
 *
 * <p>Immutable and thread-safe.
 */
enum CommandType
{
    PLAY("play",
        text("media", true),
        integer("loop", false, 0, Integer.MAX_VALUE)),
    GATHER("gather",
        text("prompt", false),
        integer("numDigits", true, 1, 64),
        integer("timeoutMs", true, 0, 600_000),
        text("finishOnKey", false)),
    DIAL("dial",
        new Rule("targets", ValueKind.TEXT_LIST, true, 1, CommandType.MAX_DIAL_TARGETS),
        integer("timeoutMs", false, 1, 600_000),
        text("callerId", false)),
    ENQUEUE("enqueue",
        text("queue", true),
        integer("position", false, 0, Integer.MAX_VALUE)),
    RECORD("record",
        integer("maxSeconds", true, 1, 3_600),
        new Rule("beep", ValueKind.BOOLEAN, true, 0, 0),
        text("mediaKey", false)),
    CONFERENCE("conference",
        text("room", true)),
    HANGUP("hangup",
        text("cause", false)),
    NOOP("noop",
        integer("waitMs", false, 0, 600_000));

    /** Most targets one {@code dial} may ring. */
    static final int MAX_DIAL_TARGETS = 64;

    /** The accepted type names, for the "must be one of" message. */
    static final String NAMES = "play, gather, dial, enqueue, record, conference, hangup, noop";

    private static final CommandType[] VALUES = values();

    final String typeName;
    private final Rule[] rules;

    CommandType(final String typeName, final Rule... rules)
    {
        this.typeName = typeName;
        this.rules = rules;
    }

    /**
     * @param name a command's {@code type} value.
     * @return the type, or null if the name is not one of {@link #NAMES}.
     */
    static CommandType byName(final String name)
    {
        for (final CommandType type : VALUES)
        {
            if (type.typeName.equals(name))
            {
                return type;
            }
        }
        return null;
    }

    /**
     * @param field a field name other than {@code type}.
     * @return its rule, or null if this command has no such field.
     */
    Rule rule(final String field)
    {
        for (final Rule rule : rules)
        {
            if (rule.name.equals(field))
            {
                return rule;
            }
        }
        return null;
    }

    int ruleCount()
    {
        return rules.length;
    }

    Rule rule(final int index)
    {
        return rules[index];
    }

    private static Rule text(final String name, final boolean required)
    {
        return new Rule(name, ValueKind.TEXT, required, 0, 0);
    }

    private static Rule integer(final String name, final boolean required, final long min, final long max)
    {
        return new Rule(name, ValueKind.INTEGER, required, min, max);
    }

    /** The JSON shape of a command field. */
    enum ValueKind
    {
        /** A string, possibly with {@code ${var}} references. */
        TEXT,
        /** An integral number within the rule's range. */
        INTEGER,
        /** true or false. */
        BOOLEAN,
        /** An array of strings, each possibly with {@code ${var}} references; size within the range. */
        TEXT_LIST
    }

    /**
     * One field of a command.
     *
     * @param name     the JSON field name.
     * @param kind     its shape.
     * @param required true if the field must be present (and, for text, non-empty).
     * @param min      smallest value (INTEGER) or element count (TEXT_LIST).
     * @param max      largest value (INTEGER) or element count (TEXT_LIST).
     */
    record Rule(String name, ValueKind kind, boolean required, long min, long max)
    {
    }
}
