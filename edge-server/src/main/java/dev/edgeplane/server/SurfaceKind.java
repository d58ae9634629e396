package dev.edgeplane.server;

/**
 * The four API surfaces, each a listener on its own port (docs/ARCHITECTURE.md, surface table).
 */
public enum SurfaceKind
{
    CONTROL_PLANE("control-plane", "CONTROL_PLANE_PORT", 3000, true),
    TELAPI("telapi", "TELAPI_PORT", 3001, false),
    SERVICES("services", "PORT", 3002, false),
    RELAY("relay", "RELAY_PORT", 8080, true);

    private final String label;
    private final String portVariable;
    private final int defaultPort;
    private final boolean journaled;

    SurfaceKind(final String label, final String portVariable, final int defaultPort, final boolean journaled)
    {
        this.label = label;
        this.portVariable = portVariable;
        this.defaultPort = defaultPort;
        this.journaled = journaled;
    }

    /**
     * @return whether this surface's writes are recorded in the journal: while the journal cannot take writes
     * (disk full), its write requests are refused with {@code 503} before they change anything.
     */
    public boolean journaled()
    {
        return journaled;
    }

    /** @return the name used in configuration, logs and metric labels. */
    public String label()
    {
        return label;
    }

    /** @return the environment variable that sets the port (the seeds' names). */
    public String portVariable()
    {
        return portVariable;
    }

    public int defaultPort()
    {
        return defaultPort;
    }

    static SurfaceKind byName(final String name)
    {
        for (final SurfaceKind kind : values())
        {
            if (kind.label.equalsIgnoreCase(name))
            {
                return kind;
            }
        }
        return null;
    }
}
