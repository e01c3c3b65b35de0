package org.xenpv.xenstore.script;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.xenpv.xenstore.client.XsBytes;
import org.xenpv.xenstore.client.XsClientException;
import org.xenpv.xenstore.client.XsClosedException;
import org.xenpv.xenstore.client.XsConnection;
import org.xenpv.xenstore.client.XsFrameDecoder;
import org.xenpv.xenstore.client.XsInbox;
import org.xenpv.xenstore.client.XsSocketMessage;
import org.xenpv.xenstore.wire.XsHeader;
import org.xenpv.xenstore.wire.XsType;

/** The runner's bookkeeping against a tiny in-process fake daemon (no Xen needed). */
class XsScriptRunnerTest {

    /**
     * Answers READ with "v", TRANSACTION_START with id 5, WRITE with OK after firing every watch
     * (the writer's own event first, as cxenstored does), WATCH with OK and the initial event,
     * GET_DOMAIN_PATH, and closes the connection on a header longer than 4096.
     */
    private static final class FakeDaemon implements XsEndpoint {
        final List<Fake> conns = new ArrayList<>();

        final class Fake implements XsConnection {
            final String name;
            final XsInbox inbox;
            final XsFrameDecoder decoder;
            final AtomicInteger reqIds = new AtomicInteger(1);
            final List<String[]> watches = new ArrayList<>();

            Fake(String name) {
                this.name = name;
                this.inbox = new XsInbox(name);
                this.decoder = new XsFrameDecoder(name);
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public void sendRaw(byte[] bytes) throws XsClientException {
                if (inbox.endCause() != null) {
                    throw inbox.endCause();
                }
                ByteBuffer b = ByteBuffer.wrap(bytes);
                if (bytes.length >= 16 && XsHeader.decode(b).unsignedLen() > 4096) {
                    inbox.end(new XsClosedException(name, XsClosedException.Kind.EOF, null));
                    return;
                }
                for (XsSocketMessage m : decoder.feed(bytes, 0, bytes.length)) {
                    handle(m);
                }
            }

            void handle(XsSocketMessage m) {
                List<String> a = m.stringList();
                switch (XsType.of(m.type())) {
                    case READ -> reply(m, XsBytes.latin1("v"));
                    case TRANSACTION_START -> reply(m, XsBytes.nulTerminated("5"));
                    case GET_DOMAIN_PATH -> reply(m, XsBytes.nulTerminated("/local/domain/" + a.get(0)));
                    case WATCH -> {
                        watches.add(new String[] {a.get(0), a.get(1)});
                        reply(m, XsBytes.nulTerminated("OK"));
                        inbox.add(XsSocketMessage.of(15, 0, 0, XsBytes.strings(a.get(0), a.get(1))));
                    }
                    case WRITE -> {
                        for (Fake c : conns) {
                            for (String[] w : c.watches) {
                                c.inbox.add(XsSocketMessage.of(15, 0, 0, XsBytes.strings(a.get(0), w[1])));
                            }
                        }
                        reply(m, XsBytes.nulTerminated("OK"));
                    }
                    default -> reply(new XsSocketMessage(new XsHeader(16, m.reqId(), m.txId(), 0), new byte[0]),
                            XsBytes.nulTerminated("ENOSYS"));
                }
            }

            void reply(XsSocketMessage req, byte[] payload) {
                inbox.add(XsSocketMessage.of(req.type(), req.reqId(), req.txId(), payload));
            }

            @Override
            public XsInbox inbox() {
                return inbox;
            }

            @Override
            public int nextReqId() {
                return reqIds.getAndIncrement();
            }

            @Override
            public Duration timeout() {
                return Duration.ofSeconds(1);
            }

            @Override
            public void close() {
                inbox.end(new XsClosedException(name, XsClosedException.Kind.LOCAL, null));
            }
        }

        @Override
        public XsConnection dom0(String name) {
            Fake f = new Fake(name);
            conns.add(f);
            return f;
        }

        @Override
        public XsConnection guest(String name, int domid) {
            throw new UnsupportedOperationException("no guests");
        }

        @Override
        public String describe() {
            return "fake";
        }

        @Override
        public void close() {
        }
    }

    private static String run(String script, XsScriptRunner.Normalisation... n) throws Exception {
        return new XsScriptRunner(Duration.ofMillis(200), n).run(XsScriptParser.parse("s", script),
                cfg -> new FakeDaemon());
    }

    @Test
    void eventsAreAttributedToTheStepThatCausedThemPerConnection() throws Exception {
        assertThat(run("""
                conn a dom0
                conn b dom0
                b: WATCH /t tok
                a: WRITE /t/x 1
                b: WRITE /t/y 2
                """)).isEqualTo("""
                # transcript of s.xss
                > conn a dom0
                > conn b dom0
                > b: WATCH /t tok
                  b: WATCH req=1 tx=0 "OK\\0"
                  b: WATCH_EVENT req=0 tx=0 "/t\\0tok\\0"
                > a: WRITE /t/x 1
                  a: WRITE req=1 tx=0 "OK\\0"
                  b: WATCH_EVENT req=0 tx=0 "/t/x\\0tok\\0"
                > b: WRITE /t/y 2
                  b: WATCH_EVENT req=0 tx=0 "/t/y\\0tok\\0"
                  b: WRITE req=2 tx=0 "OK\\0"
                """);
    }

    @Test
    void rawRepliesNowaitAndClosedConnections() throws Exception {
        assertThat(run("""
                conn a dom0
                a: replies=2 RAW hex:02000000090000000000000003000000 "/t\\0" hex:020000000a0000000000000003000000 "/t\\0"
                a: nowait RAW hex:0200000011000000
                a: RAW hex:0000000003000000 "/t\\0"
                a: nowait SEND WRITE len=4097 ""
                a: READ /t
                a: READ /t
                """)).contains("""
                  a: READ req=9 tx=0 "v"
                  a: READ req=10 tx=0 "v"
                """, """
                > a: RAW hex:0000000003000000 "/t\\0"
                  a: READ req=17 tx=0 "v"
                > a: nowait SEND WRITE len=4097 ""
                > a: READ /t
                  a: closed
                > a: READ /t
                  a: closed
                """);
    }

    @Test
    void transactionNamesBindRepliedIds() throws Exception {
        String t = run("""
                conn a dom0
                a: TRANSACTION_START -> t1
                a@t1: READ /x
                a@99: READ /x
                """);
        assertThat(t).contains("a: READ req=2 tx=5 \"v\"").contains("a: READ req=3 tx=99 \"v\"");
    }

    @Test
    void noReplyIsRecordedAfterTheTimeout() throws Exception {
        assertThat(run("""
                conn a dom0
                a: RAW hex:02000000
                """)).endsWith("  a: no reply within 200 ms\n");
    }

    @Test
    void directoryPartGenerationNormalisationIsOptIn() {
        XsSocketMessage m = XsSocketMessage.of(XsType.DIRECTORY_PART.code(), 4, 0, XsBytes.strings("47", "a", ""));
        assertThat(new XsScriptRunner().format(m)).isEqualTo("DIRECTORY_PART req=4 tx=0 \"47\\0a\\0\\0\"");
        assertThat(new XsScriptRunner(Duration.ofSeconds(1), XsScriptRunner.Normalisation.DIRECTORY_PART_GENERATION)
                .format(m)).isEqualTo("DIRECTORY_PART req=4 tx=0 \"<gen>\\0a\\0\\0\"");
    }

    @Test
    void longPayloadsAreAbbreviatedWithLengthAndHash() {
        byte[] p = new byte[601];
        assertThat(XsScriptRunner.show(new byte[600])).hasSize(600 * 2 + 2);
        assertThat(XsScriptRunner.show(p)).matches("\"(\\\\0){48}\"\\.\\.\\. \\(601 bytes, sha256 [0-9a-f]{16}\\)");
    }
}
