package dev.edgeplane.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;

import dev.edgeplane.codec.DigestAlgorithm;
import org.junit.jupiter.api.Test;

class CallDirectoryTest
{
    private static final String DOCUMENT = """
        {"accounts":[
          {"id":"acc_01jf18ah3jeb5w6dfp27sgjsbt","name":"Acme","domain":"acme.sip.io","max_channels":10,
           "devices":[{"id":"dev_1","username":"1001","password":"s3cret","enabled":true},
                      {"id":"dev_2","username":"1002","ha1_md5":"0123456789abcdef0123456789abcdef"},
                      {"id":"dev_3","username":"1003","password":"x","enabled":false}],
           "dids":[{"number":"+12025550123","target":{"type":"flow","id":"flow_1"}},
                   {"number":"12025550124","target":{"type":"device","username":"1002"}}],
           "flows":[{"id":"flow_1","name":"Main","definition":{"start":"bye","nodes":{"bye":{"command":{"type":"hangup"}}}}}]},
          {"id":"acc_2","domain":"beta.sip.io",
           "devices":[{"username":"2001","ha1_sha256":"%s"}]}
        ]}
        """.formatted("ab".repeat(32));

    @Test
    void shouldReadEnabledDevicesAndEveryDid()
    {
        final CallDirectory directory = CallDirectory.parse(DOCUMENT.getBytes(StandardCharsets.UTF_8));

        final List<CallDirectory.Device> devices = directory.devices();
        assertEquals(3, devices.size());
        assertEquals(new CallDirectory.Device("acc_01jf18ah3jeb5w6dfp27sgjsbt", "acme.sip.io", "1001", "s3cret", null,
            DigestAlgorithm.MD5), devices.get(0));
        assertEquals("1002", devices.get(1).username());
        assertNull(devices.get(1).password());
        assertEquals("0123456789abcdef0123456789abcdef", devices.get(1).ha1());
        assertEquals(DigestAlgorithm.MD5, devices.get(1).algorithm());
        assertEquals("acc_2", devices.get(2).accountId());
        assertEquals("beta.sip.io", devices.get(2).domain());
        assertEquals(DigestAlgorithm.SHA_256, devices.get(2).algorithm());

        assertEquals(List.of(new CallDirectory.Did("acc_01jf18ah3jeb5w6dfp27sgjsbt", "+12025550123"),
            new CallDirectory.Did("acc_01jf18ah3jeb5w6dfp27sgjsbt", "12025550124")), directory.dids());
    }

    @Test
    void shouldCompareDidsAsE164Digits()
    {
        final CallDirectory directory = CallDirectory.parse(DOCUMENT.getBytes(StandardCharsets.UTF_8));

        assertTrue(directory.isDid("12025550123"));
        assertTrue(directory.isDid("+1 (202) 555-0124"));
        assertFalse(directory.isDid("+12025550125"));
        assertFalse(directory.isDid("not a number"));
    }

    @Test
    void shouldNameThePathOfAMissingField()
    {
        final IllegalArgumentException noAccounts = assertThrows(IllegalArgumentException.class,
            () -> CallDirectory.parse("{}".getBytes(StandardCharsets.UTF_8)));
        assertTrue(noAccounts.getMessage().contains("$.accounts"), noAccounts.getMessage());

        final IllegalArgumentException noCredentials = assertThrows(IllegalArgumentException.class,
            () -> CallDirectory.parse(
                "{\"accounts\":[{\"id\":\"a\",\"domain\":\"d\",\"devices\":[{\"username\":\"1\"}]}]}"
                    .getBytes(StandardCharsets.UTF_8)));
        assertTrue(noCredentials.getMessage().startsWith("$.accounts[0].devices[0]"), noCredentials.getMessage());

        final IllegalArgumentException noNumber = assertThrows(IllegalArgumentException.class,
            () -> CallDirectory.parse(
                "{\"accounts\":[{\"id\":\"a\",\"domain\":\"d\",\"dids\":[{}]}]}".getBytes(StandardCharsets.UTF_8)));
        assertTrue(noNumber.getMessage().startsWith("$.accounts[0].dids[0].number"), noNumber.getMessage());
    }

    @Test
    void shouldRejectADocumentThatIsNotJson()
    {
        assertThrows(IllegalArgumentException.class,
            () -> CallDirectory.parse("{\"accounts\":[".getBytes(StandardCharsets.UTF_8)));
    }
}
