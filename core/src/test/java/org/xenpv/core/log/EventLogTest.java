package org.xenpv.core.log;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class EventLogTest {

    private final long[] now = {1_000_250_000L};
    private final EventLog log = new EventLog(() -> now[0], () -> "d1/vif0-tx", 3);

    @Test
    @DisplayName("Text lines read like a protocol trace")
    void text() {
        log.record(new Event.RingPush("vif0-tx", "req", 12, 14, true));
        assertThat(log.toText()).isEqualTo("[t=1.000250s d1/vif0-tx] ring vif0-tx push req_prod 12->14 notify=yes\n");
    }

    @Test
    @DisplayName("Indices render as unsigned u32")
    void unsignedIndices() {
        log.record(new Event.RingConsume("blk", "rsp", -1, 0));
        assertThat(log.toText()).contains("rsp_cons 4294967295->0");
    }

    @Test
    @DisplayName("JSON lines carry seq, time, actor, type and the event's fields")
    void json() throws Exception {
        log.record(new Event.GrantMap(0, 1, 8, true, 3, 0));
        JsonNode n = new ObjectMapper().readTree(log.toJsonLines());
        assertThat(n.get("seq").asLong()).isEqualTo(1);
        assertThat(n.get("t").asLong()).isEqualTo(1_000_250_000L);
        assertThat(n.get("actor").asText()).isEqualTo("d1/vif0-tx");
        assertThat(n.get("type").asText()).isEqualTo("grant-map");
        assertThat(n.get("ref").asInt()).isEqualTo(8);
        assertThat(n.get("readOnly").asBoolean()).isTrue();
    }

    @Test
    @DisplayName("A bounded log keeps the newest entries; listeners see all of them")
    void bounded() {
        List<LogEntry> seen = new ArrayList<>();
        log.addListener(seen::add);
        for (int i = 0; i < 5; i++) {
            log.note("test", "n" + i);
        }
        assertThat(log.entries()).extracting(e -> ((Event.Note) e.event()).message()).containsExactly("n2", "n3", "n4");
        assertThat(seen).hasSize(5);
        assertThat(log.count()).isEqualTo(5);
    }

    @Test
    @DisplayName("A disabled log records nothing")
    void disabled() {
        log.setEnabled(false);
        log.note("x", "y");
        assertThat(log.count()).isZero();
    }
}
