package dev.edgeplane.controlplane;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import dev.edgeplane.server.TestServers;

/**
 * A fresh ACD account for one test, on a running control plane: its own id, SIP domain, DID, devices
 * {@code 1001..100N} with one agent each, queues, and one flow per queue whose start node enqueues
 * (then {@code queue:timeout} → a {@code play}, anything else → hangup). Plus a client for the ACD
 * endpoints. Accounts never share state, so tests need no clean-up.
 */
final class AcdScenario
{
    private static final char[] CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();
    private static final AtomicInteger NUMBERS = new AtomicInteger(1000);

    /** A queue of the scenario. */
    record Queue(String id, String strategy, int ringTimeoutS, int wrapupS, int maxWaitS, String flowId)
    {
    }

    /** The control plane to talk to (a restart test points it at the new server). */
    ControlPlaneFixture cp;
    final String account = id("acc_");
    final String domain;
    final String did;
    final List<Queue> queues = new ArrayList<>();
    /** Agents' user ids; agent i has device {@code 1001 + i}. */
    final List<String> agents = new ArrayList<>();
    private final List<List<String>> agentQueues = new ArrayList<>();

    AcdScenario(final ControlPlaneFixture cp)
    {
        this.cp = cp;
        final int n = NUMBERS.incrementAndGet();
        this.domain = "acd-" + n + "-" + ThreadLocalRandom.current().nextInt(1_000_000) + ".example";
        this.did = "+1303" + (5_550_000 + n);
    }

    static String id(final String prefix)
    {
        final StringBuilder b = new StringBuilder(prefix).append("01");
        for (int i = 0; i < 24; i++)
        {
            b.append(CROCKFORD[ThreadLocalRandom.current().nextInt(32)]);
        }
        return b.toString();
    }

    /** Adds a queue; @return its index. */
    int queue(final String strategy, final int ringTimeoutS, final int wrapupS, final int maxWaitS)
    {
        queues.add(new Queue(id("q_"), strategy, ringTimeoutS, wrapupS, maxWaitS, id("flow_")));
        return queues.size() - 1;
    }

    /** Adds an agent serving the given queues (by index); @return its user id. */
    String agent(final int... queueIndexes)
    {
        final String userId = id("usr_");
        agents.add(userId);
        final List<String> ids = new ArrayList<>();
        for (final int q : queueIndexes)
        {
            ids.add(queues.get(q).id());
        }
        agentQueues.add(ids);
        return userId;
    }

    String device(final int agentIndex)
    {
        return Integer.toString(1001 + agentIndex);
    }

    String queueId(final int index)
    {
        return queues.get(index).id();
    }

    String document()
    {
        final StringJoiner devices = new StringJoiner(",");
        final StringJoiner agentDocs = new StringJoiner(",");
        for (int i = 0; i < agents.size(); i++)
        {
            devices.add("{\"id\":\"" + id("dev_") + "\",\"username\":\"" + device(i) + "\",\"password\":\"pw\"}");
            final StringJoiner qs = new StringJoiner("\",\"", "[\"", "\"]");
            agentQueues.get(i).forEach(qs::add);
            agentDocs.add("{\"user_id\":\"" + agents.get(i) + "\",\"device\":\"" + device(i) + "\",\"queues\":"
                + (agentQueues.get(i).isEmpty() ? "[]" : qs.toString()) + "}");
        }
        final StringJoiner queueDocs = new StringJoiner(",");
        final StringJoiner flows = new StringJoiner(",");
        for (final Queue q : queues)
        {
            queueDocs.add("{\"id\":\"" + q.id() + "\",\"name\":\"Q\",\"strategy\":\"" + q.strategy() + "\",\"ring_timeout_s\":"
                + q.ringTimeoutS() + ",\"wrapup_s\":" + q.wrapupS() + ",\"max_wait_s\":" + q.maxWaitS() + "}");
            flows.add("{\"id\":\"" + q.flowId() + "\",\"name\":\"Queue\",\"definition\":{\"start\":\"wait\",\"nodes\":{"
                + "\"wait\":{\"command\":{\"type\":\"enqueue\",\"queue\":\"" + q.id() + "\"},"
                + "\"next\":{\"queue:timeout\":\"sorry\",\"*\":\"bye\"}},"
                + "\"sorry\":{\"command\":{\"type\":\"play\",\"media\":\"media:sorry.wav\"},\"next\":{\"*\":\"bye\"}},"
                + "\"bye\":{\"command\":{\"type\":\"hangup\"}}}}}");
        }
        return "{\"accounts\":[{\"id\":\"" + account + "\",\"name\":\"ACD\",\"domain\":\"" + domain + "\",\"max_channels\":500,"
            + "\"devices\":[" + devices + "],"
            + "\"dids\":[{\"number\":\"" + did + "\",\"target\":{\"type\":\"flow\",\"id\":\"" + queues.get(0).flowId() + "\"}}],"
            + "\"flows\":[" + flows + "],\"queues\":[" + queueDocs + "],\"agents\":[" + agentDocs + "]}]}";
    }

    /** Applies the document; registers every device unless told otherwise. */
    AcdScenario apply(final boolean registerAll) throws Exception
    {
        cp.applyConfig(document());
        if (registerAll)
        {
            for (int i = 0; i < agents.size(); i++)
            {
                register(i, 3600);
            }
        }
        return this;
    }

    void register(final int agentIndex, final long expires) throws Exception
    {
        final HttpResponse<String> r = cp.form("/presence/event", "type", "register", "domain", domain, "user", device(agentIndex),
            "contact", "sip:" + device(agentIndex) + "@10.1.0." + (agentIndex + 1) + ":5060", "expires", Long.toString(expires));
        assertEquals(204, r.statusCode(), r.body());
    }

    HttpResponse<String> event(final String userId, final String event) throws Exception
    {
        return cp.json("/agent", "{\"accountId\":\"" + account + "\",\"userId\":\"" + userId + "\",\"event\":\"" + event + "\"}");
    }

    /** Sends an agent event that must succeed; @return the agent's view. */
    Map<String, Object> must(final String userId, final String event) throws Exception
    {
        final HttpResponse<String> r = event(userId, event);
        assertEquals(200, r.statusCode(), r.body());
        return TestServers.json(r.body());
    }

    Map<String, Object> loginAll() throws Exception
    {
        Map<String, Object> last = null;
        for (final String a : agents)
        {
            last = must(a, "login");
        }
        return last;
    }

    Map<String, Object> agentView(final String userId) throws Exception
    {
        final HttpResponse<String> r = cp.get("/agent?accountId=" + account + "&userId=" + userId);
        assertEquals(200, r.statusCode(), r.body());
        return TestServers.json(r.body());
    }

    String state(final String userId) throws Exception
    {
        return (String)agentView(userId).get("state");
    }

    /** Routes a call to the DID (a call entry, so dialog events reach it) and starts the queue's flow. */
    @SuppressWarnings("unchecked")
    Map<String, Object> call(final String callId, final int queueIndex) throws Exception
    {
        final Map<String, Object> rt = cp.route(callId, "+14155550100", "carrier.example", did);
        assertEquals("flow", rt.get("action"), rt.toString());
        final HttpResponse<String> r = cp.json("/flow", "{\"callId\":\"" + callId + "\",\"accountId\":\"" + account
            + "\",\"flowId\":\"" + queues.get(queueIndex).flowId() + "\"}");
        assertEquals(200, r.statusCode(), r.body());
        final Map<String, Object> command = (Map<String, Object>)TestServers.json(r.body()).get("command");
        assertEquals("enqueue", command.get("type"), r.body());
        return command;
    }

    HttpResponse<String> poll(final String callId) throws Exception
    {
        return cp.json("/flow", "{\"callId\":\"" + callId + "\",\"outcome\":\"queue:poll\"}");
    }

    /** Polls once, expecting 200; @return the command. */
    @SuppressWarnings("unchecked")
    Map<String, Object> pollCommand(final String callId) throws Exception
    {
        final HttpResponse<String> r = poll(callId);
        assertEquals(200, r.statusCode(), r.body());
        return (Map<String, Object>)TestServers.json(r.body()).get("command");
    }

    /** Polls until the command is not a noop, or fails after {@code timeoutMillis}. */
    Map<String, Object> pollUntilNot(final String type, final String callId, final long timeoutMillis) throws Exception
    {
        final long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (true)
        {
            final Map<String, Object> command = pollCommand(callId);
            if (!type.equals(command.get("type")))
            {
                return command;
            }
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("call " + callId + " still gets " + type + " after " + timeoutMillis + " ms");
            }
            Thread.sleep(20);
        }
    }

    @SuppressWarnings("unchecked")
    static String leaseId(final Map<String, Object> dial)
    {
        return (String)((Map<String, Object>)dial.get("lease")).get("leaseId");
    }

    @SuppressWarnings("unchecked")
    static long epoch(final Map<String, Object> dial)
    {
        return (Long)((Map<String, Object>)dial.get("lease")).get("epoch");
    }

    @SuppressWarnings("unchecked")
    static List<String> dialAgents(final Map<String, Object> dial)
    {
        return (List<String>)dial.get("agents");
    }

    HttpResponse<String> confirm(final String leaseId, final long epoch) throws Exception
    {
        return cp.get("/agent/confirm/" + account + "/" + leaseId + "/" + epoch);
    }

    HttpResponse<String> confirm(final Map<String, Object> dial) throws Exception
    {
        return confirm(leaseId(dial), epoch(dial));
    }

    HttpResponse<String> claim(final String agentId, final String callId) throws Exception
    {
        return cp.get("/agent/claim/" + account + "/" + agentId + "/" + callId);
    }

    void hangUp(final String callId) throws Exception
    {
        cp.terminate(callId);
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> roster() throws Exception
    {
        final HttpResponse<String> r = cp.get("/presence/users?accountId=" + account);
        assertEquals(200, r.statusCode(), r.body());
        return TestServers.json(r.body());
    }

    static String errorCode(final HttpResponse<String> r)
    {
        @SuppressWarnings("unchecked")
        final Map<String, Object> error = (Map<String, Object>)TestServers.json(r.body()).get("error");
        return (String)error.get("code");
    }

    static Map<String, Object> map(final Object... pairs)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2)
        {
            m.put((String)pairs[i], pairs[i + 1]);
        }
        return m;
    }
}
