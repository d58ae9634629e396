package dev.edgeplane.server;

/**
 * The four API surfaces, each a listener on its own port (docs/ARCHITECTURE.md, surface table).
 */
public enum SurfaceKind
{
    CONTROL_PLANE("control-plane", "CONTROL_PLANE_PORT", 3000),
    TELAPI("telapi", "TELAPI_PORT", 3001),
    SERVICES("services", "PORT", 3002),
    RELAY("relay", "RELAY_PORT", 8080);

    private final String label;
    private final String portVariable;
    private final int defaultPort;

    SurfaceKind(final String label, final String portVariable, final int defaultPort)
    {
        this.label = label;
        this.portVariable = portVariable;
        this.defaultPort = defaultPort;
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
