package dev.edgeplane.server;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The traffic a surface's hot path sees in production, in a form {@link WarmUp} can replay against a
 * throwaway server: the settings that server needs (e.g. a configuration document for its accounts)
 * and the requests of one iteration (e.g. one call: auth, route, dialog reports).
 *
 * <p>Threading: {@link #iteration} is called by several warm-up workers at once; it must only build
 * requests from its arguments.
 */
public interface WarmUpScenario
{
    /** One HTTP request of an iteration, answered {@code 2xx} by a healthy server. */
    record Request(String method, String path, String contentType, String body)
    {
        /** @return a form post. */
        public static Request form(final String path, final String body)
        {
            return new Request("POST", path, "application/x-www-form-urlencoded", body);
        }
    }

    /**
     * @param directory a directory of the throwaway server's own, deleted afterwards.
     * @return variables for the throwaway server (on top of the real server's).
     */
    Map<String, String> settings(Path directory);

    /**
     * @param worker    which worker asks (0..workers-1).
     * @param iteration that worker's iteration number, from 0.
     * @return the requests of one iteration, sent in order on one keep-alive connection.
     */
    List<Request> iteration(int worker, long iteration);
}
