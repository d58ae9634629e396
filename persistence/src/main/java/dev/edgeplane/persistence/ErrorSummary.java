package dev.edgeplane.persistence;

import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.util.regex.Pattern;

/**
 * Turns a failure into one short line fit for logs, {@code /health} and status snapshots: exception message, SQL
 * state and root cause, with anything that looks like a credential masked.
 *
 * <p>Stateless and thread-safe.
 */
public final class ErrorSummary
{
    /** Longest summary returned, in characters. */
    public static final int MAX_LENGTH = 240;

    private static final Pattern PASSWORD_PARAMETER =
        Pattern.compile("(?i)(password|passwd|pwd)(\\s*[=:]\\s*)[^\\s&;,)'\"]+");
    private static final Pattern URL_USER_INFO = Pattern.compile("(://[^/:@\\s]*):[^@/\\s]*@");

    private ErrorSummary()
    {
    }

    /**
     * @param error a failure, or null.
     * @return one line of at most {@value #MAX_LENGTH} characters with credentials masked, or null for null.
     */
    public static String of(final Throwable error)
    {
        if (null == error)
        {
            return null;
        }

        // pgjdbc's batch exception message quotes the statement (with parameter values unless logServerErrorDetail
        // is off); the reason is in the next exception.
        Throwable failure = error;
        while (failure instanceof BatchUpdateException && null != ((BatchUpdateException)failure).getNextException())
        {
            failure = ((BatchUpdateException)failure).getNextException();
        }

        final StringBuilder text = new StringBuilder(describe(failure));
        Throwable root = failure;
        int depth = 0;
        while (null != root.getCause() && root.getCause() != root && depth++ < 16)
        {
            root = root.getCause();
        }
        if (root != failure)
        {
            final String rootText = describe(root);
            if (text.indexOf(rootText) < 0)
            {
                text.append(" (cause: ").append(rootText).append(')');
            }
        }

        String line = text.toString().replace('\r', ' ').replace('\n', ' ').replace('\t', ' ');
        line = PASSWORD_PARAMETER.matcher(line).replaceAll("$1$2***");
        line = URL_USER_INFO.matcher(line).replaceAll("$1:***@");
        return line.length() <= MAX_LENGTH ? line : line.substring(0, MAX_LENGTH - 1) + "…";
    }

    private static String describe(final Throwable failure)
    {
        final String message = failure.getMessage();
        final String base = null == message || message.isBlank() ? failure.getClass().getSimpleName() : message.strip();
        if (failure instanceof SQLException)
        {
            final String state = ((SQLException)failure).getSQLState();
            if (null != state && !base.startsWith(state))
            {
                return state + ": " + base;
            }
        }
        return base;
    }
}
