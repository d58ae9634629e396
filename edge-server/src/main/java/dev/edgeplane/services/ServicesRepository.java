package dev.edgeplane.services;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import dev.edgeplane.codec.Json;

/**
 * The services database: the seed's {@code instance_infra} / {@code instance_services} rows and the saga log
 * ({@code service_sagas}, {@code service_saga_steps}). Every write is its own short transaction, committed before
 * the provider call it records is made (or after it returns), so a crash leaves the log telling what may exist.
 *
 * <p>Thread-safe (one pooled connection per call). Blocking: worker threads only.
 */
final class ServicesRepository
{
    /** A saga run as logged. */
    record Saga(long id, String instanceId, String kind, String state, Map<String, Object> request)
    {
    }

    /** One logged step. */
    record Step(int seq, String step, String state, String resourceId, Map<String, Object> meta)
    {
    }

    private final DataSource db;

    ServicesRepository(final DataSource db)
    {
        this.db = db;
    }

    DataSource dataSource()
    {
        return db;
    }

    // ---- instances ----

    InstanceRecord find(final String instanceId)
    {
        try (Connection c = db.getConnection())
        {
            return find(c, instanceId);
        }
        catch (final SQLException e)
        {
            throw new ServicesStoreException("reading instance", e);
        }
    }

    private static InstanceRecord find(final Connection c, final String instanceId) throws SQLException
    {
        try (PreparedStatement ps = c.prepareStatement("SELECT instance_id, provider, provider_service_id, provider_env_id, "
            + "provider_project_id, url, deploy_status, runtime_image, volume_id FROM instance_infra WHERE instance_id = ?"))
        {
            ps.setString(1, instanceId);
            try (ResultSet rs = ps.executeQuery())
            {
                if (!rs.next())
                {
                    return null;
                }
                return infra(rs, tools(c, instanceId));
            }
        }
    }

    private static InstanceRecord infra(final ResultSet rs, final List<InstanceRecord.Tool> tools) throws SQLException
    {
        return new InstanceRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
            rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), tools);
    }

    private static List<InstanceRecord.Tool> tools(final Connection c, final String instanceId) throws SQLException
    {
        final List<InstanceRecord.Tool> tools = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT tool_id, resource_id, resource_meta::text, env_key, env_value, "
            + "status FROM instance_services WHERE instance_id = ? ORDER BY id"))
        {
            ps.setString(1, instanceId);
            try (ResultSet rs = ps.executeQuery())
            {
                while (rs.next())
                {
                    tools.add(new InstanceRecord.Tool(rs.getString(1), rs.getString(2), parseMap(rs.getString(3)),
                        rs.getString(4), rs.getString(5), rs.getString(6)));
                }
            }
        }
        return tools;
    }

    List<InstanceRecord> all()
    {
        final List<InstanceRecord> out = new ArrayList<>();
        try (Connection c = db.getConnection();
            Statement st = c.createStatement();
            ResultSet rs = st.executeQuery("SELECT instance_id, provider, provider_service_id, provider_env_id, "
                + "provider_project_id, url, deploy_status, runtime_image, volume_id FROM instance_infra ORDER BY instance_id"))
        {
            final List<InstanceRecord> bare = new ArrayList<>();
            while (rs.next())
            {
                bare.add(infra(rs, List.of()));
            }
            for (final InstanceRecord r : bare)
            {
                out.add(new InstanceRecord(r.instanceId(), r.provider(), r.serviceId(), r.envId(), r.projectId(), r.url(),
                    r.deployStatus(), r.runtimeImage(), r.volumeId(), tools(c, r.instanceId())));
            }
            return out;
        }
        catch (final SQLException e)
        {
            throw new ServicesStoreException("listing instances", e);
        }
    }

    /** Inserts the instance's rows and closes its create saga as succeeded, in one transaction. */
    void commitCreated(final InstanceRecord r, final long sagaId)
    {
        inTransaction("recording the created instance", c ->
        {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO instance_infra (instance_id, provider, provider_service_id, "
                + "provider_env_id, provider_project_id, url, deploy_status, runtime_image, volume_id) VALUES (?,?,?,?,?,?,?,?,?)"))
            {
                ps.setString(1, r.instanceId());
                ps.setString(2, r.provider());
                ps.setString(3, r.serviceId());
                ps.setString(4, r.envId());
                ps.setString(5, r.projectId());
                ps.setString(6, r.url());
                ps.setString(7, r.deployStatus());
                ps.setString(8, r.runtimeImage());
                ps.setString(9, r.volumeId());
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO instance_services (instance_id, tool_id, resource_id, "
                + "resource_meta, env_key, env_value) VALUES (?,?,?,?::jsonb,?,?)"))
            {
                for (final InstanceRecord.Tool t : r.services())
                {
                    ps.setString(1, r.instanceId());
                    ps.setString(2, t.toolId());
                    ps.setString(3, t.resourceId());
                    ps.setString(4, json(t.meta()));
                    ps.setString(5, t.envKey());
                    ps.setString(6, t.envValue());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            // The key's secret now lives in instance_services.env_value only.
            try (PreparedStatement ps = c.prepareStatement("UPDATE service_saga_steps SET meta = meta - 'secret' "
                + "WHERE saga_id = ? AND jsonb_exists(meta, 'secret')"))
            {
                ps.setLong(1, sagaId);
                ps.executeUpdate();
            }
            finish(c, sagaId, "succeeded", null);
        });
    }

    /** Deletes the instance (its services rows cascade) and closes its destroy saga as succeeded. */
    void commitDestroyed(final String instanceId, final long sagaId)
    {
        inTransaction("removing the destroyed instance", c ->
        {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM instance_infra WHERE instance_id = ?"))
            {
                ps.setString(1, instanceId);
                ps.executeUpdate();
            }
            finish(c, sagaId, "succeeded", null);
        });
    }

    void updateDeployStatus(final Map<String, String> statusByInstance)
    {
        if (statusByInstance.isEmpty())
        {
            return;
        }
        inTransaction("updating deploy status", c ->
        {
            try (PreparedStatement ps = c.prepareStatement("UPDATE instance_infra SET deploy_status = ?, updated_at = now() "
                + "WHERE instance_id = ? AND deploy_status IS DISTINCT FROM ?"))
            {
                for (final Map.Entry<String, String> e : statusByInstance.entrySet())
                {
                    ps.setString(1, e.getValue());
                    ps.setString(2, e.getKey());
                    ps.setString(3, e.getValue());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        });
    }

    void touch(final String instanceId)
    {
        inTransaction("touching instance", c ->
        {
            try (PreparedStatement ps = c.prepareStatement("UPDATE instance_infra SET updated_at = now() WHERE instance_id = ?"))
            {
                ps.setString(1, instanceId);
                ps.executeUpdate();
            }
        });
    }

    // ---- sagas ----

    long startSaga(final String instanceId, final String kind, final Map<String, Object> request)
    {
        try (Connection c = db.getConnection();
            PreparedStatement ps = c.prepareStatement("INSERT INTO service_sagas (instance_id, kind, state, request) "
                + "VALUES (?, ?, 'running', ?::jsonb) RETURNING id"))
        {
            ps.setString(1, instanceId);
            ps.setString(2, kind);
            ps.setString(3, json(request));
            try (ResultSet rs = ps.executeQuery())
            {
                rs.next();
                return rs.getLong(1);
            }
        }
        catch (final SQLException e)
        {
            throw new ServicesStoreException("starting a saga", e);
        }
    }

    /** Records a step: {@code started} before its provider call; {@code done}/{@code failed}/{@code undone} after. */
    void step(final long sagaId, final int seq, final String step, final String state, final String resourceId,
        final Map<String, Object> meta)
    {
        try (Connection c = db.getConnection();
            PreparedStatement ps = c.prepareStatement("INSERT INTO service_saga_steps (saga_id, seq, step, state, resource_id, meta) "
                + "VALUES (?,?,?,?,?,?::jsonb) ON CONFLICT (saga_id, step) DO UPDATE SET state = EXCLUDED.state, "
                + "resource_id = COALESCE(EXCLUDED.resource_id, service_saga_steps.resource_id), "
                + "meta = COALESCE(EXCLUDED.meta, service_saga_steps.meta), updated_at = now()"))
        {
            ps.setLong(1, sagaId);
            ps.setInt(2, seq);
            ps.setString(3, step);
            ps.setString(4, state);
            ps.setString(5, resourceId);
            ps.setString(6, meta == null ? null : json(meta));
            ps.executeUpdate();
        }
        catch (final SQLException e)
        {
            throw new ServicesStoreException("recording saga step " + step, e);
        }
    }

    void finishSaga(final long sagaId, final String state, final Map<String, Object> error)
    {
        inTransaction("closing a saga", c -> finish(c, sagaId, state, error));
    }

    private static void finish(final Connection c, final long sagaId, final String state, final Map<String, Object> error)
        throws SQLException
    {
        try (PreparedStatement ps = c.prepareStatement("UPDATE service_sagas SET state = ?, error = ?::jsonb, finished_at = now() "
            + "WHERE id = ?"))
        {
            ps.setString(1, state);
            ps.setString(2, error == null ? null : json(error));
            ps.setLong(3, sagaId);
            ps.executeUpdate();
        }
    }

    /** @return sagas still {@code running}: interrupted by a crash, or whose compensation could not finish. */
    List<Saga> running(final String instanceIdOrNull)
    {
        final List<Saga> out = new ArrayList<>();
        try (Connection c = db.getConnection();
            PreparedStatement ps = c.prepareStatement("SELECT id, instance_id, kind, state, request::text FROM service_sagas "
                + "WHERE state = 'running'" + (instanceIdOrNull == null ? "" : " AND instance_id = ?") + " ORDER BY id"))
        {
            if (instanceIdOrNull != null)
            {
                ps.setString(1, instanceIdOrNull);
            }
            try (ResultSet rs = ps.executeQuery())
            {
                while (rs.next())
                {
                    out.add(new Saga(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), parseMap(rs.getString(5))));
                }
            }
            return out;
        }
        catch (final SQLException e)
        {
            throw new ServicesStoreException("listing running sagas", e);
        }
    }

    /** @return instance id → resource name of every create saga ever run (for reconcile: what may be ours). */
    Map<String, String> sagaNames()
    {
        final Map<String, String> out = new HashMap<>();
        try (Connection c = db.getConnection();
            Statement st = c.createStatement();
            ResultSet rs = st.executeQuery("SELECT DISTINCT instance_id, request->>'name' FROM service_sagas WHERE kind = 'create'"))
        {
            while (rs.next())
            {
                out.put(rs.getString(1), rs.getString(2));
            }
            return out;
        }
        catch (final SQLException e)
        {
            throw new ServicesStoreException("listing saga names", e);
        }
    }

    Map<String, Step> steps(final long sagaId)
    {
        final Map<String, Step> out = new LinkedHashMap<>();
        try (Connection c = db.getConnection();
            PreparedStatement ps = c.prepareStatement("SELECT seq, step, state, resource_id, meta::text FROM service_saga_steps "
                + "WHERE saga_id = ? ORDER BY seq"))
        {
            ps.setLong(1, sagaId);
            try (ResultSet rs = ps.executeQuery())
            {
                while (rs.next())
                {
                    out.put(rs.getString(2), new Step(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        parseMap(rs.getString(5))));
                }
            }
            return out;
        }
        catch (final SQLException e)
        {
            throw new ServicesStoreException("reading saga steps", e);
        }
    }

    // ---- helpers ----

    private interface Work
    {
        void run(Connection c) throws SQLException;
    }

    private void inTransaction(final String what, final Work work)
    {
        try (Connection c = db.getConnection())
        {
            final boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try
            {
                work.run(c);
                c.commit();
            }
            catch (final SQLException | RuntimeException e)
            {
                c.rollback();
                throw e;
            }
            finally
            {
                c.setAutoCommit(auto);
            }
        }
        catch (final SQLException e)
        {
            throw new ServicesStoreException(what, e);
        }
    }

    static String json(final Map<String, Object> m)
    {
        return new String(Json.write(m == null ? Map.of() : m), java.nio.charset.StandardCharsets.UTF_8);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> parseMap(final String text)
    {
        if (text == null)
        {
            return new HashMap<>();
        }
        final byte[] b = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return Json.parse(b, 0, b.length) instanceof Map<?, ?> m ? (Map<String, Object>)m : new HashMap<>();
    }

    /** The services database failed (unreachable, constraint broken): a 503 for the caller, never a stack trace. */
    static final class ServicesStoreException extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        ServicesStoreException(final String what, final SQLException cause)
        {
            super(what + " failed: " + cause.getSQLState(), cause);
        }
    }
}
