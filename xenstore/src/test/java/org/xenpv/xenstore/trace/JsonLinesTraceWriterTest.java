package org.xenpv.xenstore.trace;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xenpv.xenstore.daemon.CxenstoredTraceWriter;
import org.xenpv.xenstore.daemon.XenStore;
import org.xenpv.xenstore.daemon.XsConnection;
import org.xenpv.xenstore.daemon.XsTraceSink;
import org.xenpv.xenstore.wire.XsMessage;
import org.xenpv.xenstore.wire.XsType;

/**
 * The JSON-lines trace (docs/traces.md) is valid JSON per line, carries every field of every message
 * byte-exactly, and has one record for each line of the cxenstored 4.17 text trace written alongside.
 */
class JsonLinesTraceWriterTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Sends every callback to both writers. */
    private record Tee(XsTraceSink a, XsTraceSink b) implements XsTraceSink {
        @Override
        public void in(XsConnection conn, XsMessage msg) {
            a.in(conn, msg);
            b.in(conn, msg);
        }

        @Override
        public void out(XsConnection conn, XsMessage msg) {
            a.out(conn, msg);
            b.out(conn, msg);
        }

        @Override
        public void create(Kind kind, long id, XsConnection owner) {
            a.create(kind, id, owner);
            b.create(kind, id, owner);
        }

        @Override
        public void destroy(Kind kind, long id, XsConnection owner) {
            a.destroy(kind, id, owner);
            b.destroy(kind, id, owner);
        }

        @Override
        public void note(String line) {
            a.note(line);
            b.note(line);
        }
    }

    @Test
    void everyMessageIsRecordedLosslessly() throws Exception {
        ByteArrayOutputStream jsonl = new ByteArrayOutputStream();
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        long[] clock = {1000};
        JsonLinesTraceWriter w = new JsonLinesTraceWriter(jsonl, () -> clock[0] += 7, Clock.systemUTC());
        XenStore store = XenStore.builder().trace(new Tee(w, new CxenstoredTraceWriter(text, Clock.systemUTC())))
                .build();
        List<XsMessage> out = new ArrayList<>();
        XsConnection a = store.connect(0, true, out::add);
        XsConnection b = store.connect(0, true, out::add);
        byte[] binary = {'/', 'b', 0, 0, 1, (byte) 0xff, '"', '\\', '\n', 0x7f};
        b.handle(XsMessage.of(XsType.WATCH, 1, 0, "/b", "tok\"en"));
        a.handle(new XsMessage(XsType.WRITE.code(), 7, 0, binary));
        a.handle(XsMessage.of(XsType.READ, 0xfffffff0, 12345, "/b"));
        a.handle(XsMessage.of(XsType.TRANSACTION_START, 9, 0, ""));
        a.handle(new XsMessage(99, 10, 0, new byte[0]));
        b.close();
        w.flush();

        String[] lines = jsonl.toString(StandardCharsets.UTF_8).split("\n");
        List<JsonNode> records = new ArrayList<>();
        for (String l : lines) {
            records.add(JSON.readTree(l));
        }
        assertThat(records.get(0).get("kind").asText()).isEqualTo("open");
        assertThat(records.get(0).get("format").asText()).isEqualTo("xenpv-xenstore-trace");
        assertThat(records.get(0).get("version").asInt()).isEqualTo(1);
        long seq = 0;
        long vt = 0;
        for (JsonNode r : records) {
            assertThat(r.get("seq").asLong()).isEqualTo(++seq);
            assertThat(r.get("vt_ns").asLong()).isGreaterThanOrEqualTo(vt);
            vt = r.get("vt_ns").asLong();
            assertThat(java.time.Instant.parse(r.get("wall").asText())).isNotNull();
        }

        List<JsonNode> io = records.stream().filter(r -> r.get("kind").asText().equals("io")).toList();
        JsonNode write = io.stream().filter(r -> r.get("type").asText().equals("WRITE") && r.get("dir").asText()
                .equals("in")).findFirst().orElseThrow();
        assertThat(Base64.getDecoder().decode(write.get("payload_b64").asText())).isEqualTo(binary);
        assertThat(write.get("payload_text").asText().getBytes(StandardCharsets.ISO_8859_1)).isEqualTo(binary);
        assertThat(write.get("req_id").asLong()).isEqualTo(7);
        assertThat(write.get("len").asInt()).isEqualTo(binary.length);
        assertThat(write.get("domid").asInt()).isZero();
        assertThat(write.get("priv").asBoolean()).isTrue();

        JsonNode err = io.stream().filter(r -> r.get("type").asText().equals("ERROR")).findFirst().orElseThrow();
        assertThat(err.get("error").asText()).isEqualTo("ENOENT");
        assertThat(err.get("req_id").asLong()).isEqualTo(0xfffffff0L);
        assertThat(err.get("tx_id").asLong()).isEqualTo(12345);

        JsonNode ev = io.stream().filter(r -> r.get("type").asText().equals("WATCH_EVENT") && r.get("event").get("path")
                .asText().equals("/b")).skip(1).findFirst().orElseThrow();
        assertThat(ev.get("event").get("token").asText()).isEqualTo("tok\"en");
        assertThat(ev.get("conn").asText()).isEqualTo(io.get(0).get("conn").asText());

        JsonNode unknown = io.stream().filter(r -> r.get("type_code").asInt() == 99).findFirst().orElseThrow();
        assertThat(unknown.get("type").asText()).isEqualTo("UNKNOWN");

        assertThat(records).anySatisfy(r -> {
            assertThat(r.get("kind").asText()).isEqualTo("create");
            assertThat(r.get("object").asText()).isEqualTo("transaction");
        });
        assertThat(records).anySatisfy(r -> {
            assertThat(r.get("kind").asText()).isEqualTo("destroy");
            assertThat(r.get("object").asText()).isEqualTo("connection");
        });

        // One JSON record per cxenstored line (minus its "***" opener and the transaction creation it omits).
        long textIo = text.toString(StandardCharsets.ISO_8859_1).lines()
                .filter(l -> l.startsWith("IN ") || l.startsWith("OUT ")).count();
        assertThat(io).hasSize((int) textIo);
    }
}
