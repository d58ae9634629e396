package dev.edgeplane.services;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import dev.edgeplane.persistence.testing.TestPostgres;
import org.junit.jupiter.api.Test;

/** {@code services reconcile} lists orphans on the providers' side and rows whose resources are gone. */
class ServicesReconcilerTest
{
    @SuppressWarnings("unchecked")
    private static List<String> summary(final Object items, final String... fields)
    {
        final List<String> out = new ArrayList<>();
        for (final Object o : (List<Object>)items)
        {
            final StringBuilder sb = new StringBuilder();
            for (final String f : fields)
            {
                sb.append(sb.length() == 0 ? "" : ":").append(((Map<String, Object>)o).get(f));
            }
            out.add(sb.toString());
        }
        out.sort(null);
        return out;
    }

    @Test
    void shouldListOrphansOnEitherSide() throws Exception
    {
        try (FakeProviders fakes = FakeProviders.start(0))
        {
            final DataSource db = TestPostgres.dataSource(TestPostgres.freshDatabase("services_reconcile"));
            ServicesSchema.migrate(db);
            final Map<String, String> env = ServicesFixture.env(fakes, Map.of());
            final ServicesSettings settings = ServicesSettings.from(env);
            final InstanceProvisioner p = new InstanceProvisioner(settings, new ServicesRepository(db), SagaHooks.NONE);

            final ServicesResult created = p.create(new CreateRequest("rec1", "convos-agent-rec1", List.of("openrouter", "agentmail"),
                Map.of(), "img:1"));
            assertEquals(201, created.status(), String.valueOf(created.message()));
            assertEquals(true, ServicesReconciler.run(env, db).get("clean"), "everything recorded matches");

            final InstanceRecord rec = p.repository().find("rec1");
            fakes.removeBehindTheBack("agentmail.inbox", rec.tool("agentmail").resourceId());
            final String ghost = p.railway().createService("convos-agent-ghost", "img:1");
            final String ghostVolume = p.railway().createVolume(ghost);
            final OpenRouterClient.CreatedKey ghostKey = p.openRouter().create("convos-agent-ghost", settings.keyLimit(), null);
            p.openRouter().create("someone-else", settings.keyLimit(), null); // not ours: never listed

            final Map<String, Object> report = ServicesReconciler.run(env, db);
            assertEquals(false, report.get("clean"));
            assertEquals(List.of("openrouter:key:" + ghostKey.hash(), "railway:service:" + ghost, "railway:volume:" + ghostVolume),
                summary(report.get("orphans"), "provider", "kind", "id"));
            assertEquals(List.of("rec1:agentmail:inbox"), summary(report.get("missing"), "instanceId", "provider", "kind"));
            assertTrue(((List<?>)report.get("interrupted")).isEmpty());
        }
    }
}
