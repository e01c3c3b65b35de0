package org.xenpv.xenstore.ring;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.xenpv.core.ring.xs.XenstoreRing;
import org.xenpv.xenstore.client.XsBytes;
import org.xenpv.xenstore.client.XsClientException;
import org.xenpv.xenstore.client.XsSocketClient;
import org.xenpv.xenstore.client.XsSocketMessage;
import org.xenpv.xenstore.client.XsTimeoutException;
import org.xenpv.xenstore.cxenstored.RealCxenstored;
import org.xenpv.xenstore.cxenstored.RingGuest;
import org.xenpv.xenstore.wire.XsMessage;
import org.xenpv.xenstore.wire.XsPayload;
import org.xenpv.xenstore.wire.XsType;

/**
 * Hostile and unusual ring input played byte for byte by guest 5, the same way against our daemon over
 * simulated rings and against the real cxenstored 4.17 over its guest ring (the LD_PRELOAD rig): what the
 * guest sees (replies, the {@code error}, {@code connection} and {@code server_features} fields, the
 * indices) and what dom0 sees must be the same. The expected observations are the real daemon's, recorded
 * here so that our side is checked even where the rig cannot run; with the rig, the real daemon is
 * checked against them too.
 */
class RingErrorsVersusCxenstoredTest {

    /** What a scenario can do and look at, on either daemon. */
    interface Probe extends AutoCloseable {
        /** dom0 sends a request; its reply without req_id. */
        String dom0(XsType type, String... args) throws Exception;

        /** dom0's INTRODUCE of guest 5 on its store port. */
        String introduce() throws Exception;

        /** Guest 5 writes these bytes into req (and kicks). */
        void send(byte[] bytes) throws Exception;

        /** Guest 5 writes a u32 field of its page (and kicks). */
        void poke(int offset, int value) throws Exception;

        int field(int offset) throws Exception;

        /** Everything guest 5 received by now (waiting as the daemon needs). */
        List<String> received() throws Exception;

        /** Lets the daemon finish what it was kicked for, without reading anything. */
        void settle() throws Exception;

        @Override
        void close();
    }

    enum Scenario {
        /** Header len 4097: ignored with XENSTORE_ERROR_PROTO after the header is read. */
        OVERSIZE_HEADER(List.of("INTRODUCE OK", "features 0 connection 0 error 0", "received []", "error 3",
                "req_cons 16", "received []", "IS_DOMAIN_INTRODUCED \"T\\0\"")) {
            @Override
            void play(Probe p, List<String> o) throws Exception {
                o.add(p.introduce());
                o.add("features " + p.field(XenstoreRing.SERVER_FEATURES) + " connection " + p.field(XenstoreRing.CONNECTION)
                        + " error " + p.field(XenstoreRing.ERROR));
                p.send(header(XsType.READ.code(), 1, 4097));
                o.add("received " + p.received());
                o.add("error " + p.field(XenstoreRing.ERROR));
                o.add("req_cons " + p.field(XenstoreRing.REQ_CONS));
                p.send(new XsMessage(XsType.READ.code(), 2, 0, XsPayload.strings("data")).encode());
                o.add("received " + p.received());
                o.add(p.dom0(XsType.IS_DOMAIN_INTRODUCED, "5"));
            }
        },
        /** req_prod - req_cons = 2000: ignored with XENSTORE_ERROR_RINGIDX; what was written stays. */
        BAD_REQUEST_INDEX(List.of("INTRODUCE OK", "received [WRITE req=1 \"OK\\0\"]", "received []", "error 2",
                "READ \"1\"", "IS_DOMAIN_INTRODUCED \"T\\0\"")) {
            @Override
            void play(Probe p, List<String> o) throws Exception {
                home(p);
                o.add(p.introduce());
                p.send(XsMessage.write(1, 0, "data", new byte[] {'1'}).encode());
                o.add("received " + p.received());
                p.poke(XenstoreRing.REQ_PROD, p.field(XenstoreRing.REQ_CONS) + 2000);
                o.add("received " + p.received());
                o.add("error " + p.field(XenstoreRing.ERROR));
                o.add(p.dom0(XsType.READ, "/local/domain/5/data"));
                o.add(p.dom0(XsType.IS_DOMAIN_INTRODUCED, "5"));
            }
        },
        /** rsp_prod - rsp_cons = 3000: the request is processed, the reply cannot be written: ignored. */
        BAD_RESPONSE_INDEX(List.of("INTRODUCE OK", "rsp_prod 0", "error 2", "READ \"2\"", "IS_DOMAIN_INTRODUCED \"T\\0\"")) {
            @Override
            void play(Probe p, List<String> o) throws Exception {
                home(p);
                o.add(p.introduce());
                p.poke(XenstoreRing.RSP_CONS, p.field(XenstoreRing.RSP_PROD) - 3000);
                p.send(XsMessage.write(1, 0, "data", new byte[] {'2'}).encode());
                p.settle();
                o.add("rsp_prod " + p.field(XenstoreRing.RSP_PROD));
                o.add("error " + p.field(XenstoreRing.ERROR));
                o.add(p.dom0(XsType.READ, "/local/domain/5/data"));
                o.add(p.dom0(XsType.IS_DOMAIN_INTRODUCED, "5"));
            }
        },
        /** An unknown type is answered ENOSYS; the ring stays served. */
        GARBAGE_TYPE(List.of("INTRODUCE OK", "received [ERROR req=41 \"ENOSYS\\0\"]", "error 0",
                "received [GET_DOMAIN_PATH req=42 \"/local/domain/5\\0\"]")) {
            @Override
            void play(Probe p, List<String> o) throws Exception {
                o.add(p.introduce());
                p.send(new XsMessage(0xdeadbeef, 41, 0, new byte[] {1, 2, 3}).encode());
                o.add("received " + p.received());
                o.add("error " + p.field(XenstoreRing.ERROR));
                p.send(new XsMessage(XsType.GET_DOMAIN_PATH.code(), 42, 0, XsPayload.strings("5")).encode());
                o.add("received " + p.received());
            }
        },
        /** connection = 1 is left alone (requests still served) until the next INTRODUCE resets the ring. */
        RECONNECT_ON_INTRODUCE(List.of("INTRODUCE OK",
                "received [WATCH req=1 \"OK\\0\", WATCH_EVENT req=0 \"data\\0w\\0\"]", "connection 1",
                "received [GET_DOMAIN_PATH req=2 \"/local/domain/5\\0\"]", "INTRODUCE OK", "connection 0",
                "indices 0 0 0 0", "WRITE OK", "received []",
                "received [GET_DOMAIN_PATH req=3 \"/local/domain/5\\0\"]")) {
            @Override
            void play(Probe p, List<String> o) throws Exception {
                home(p);
                o.add(p.introduce());
                p.send(new XsMessage(XsType.WATCH.code(), 1, 0, XsPayload.strings("data", "w")).encode());
                o.add("received " + p.received());
                p.poke(XenstoreRing.CONNECTION, XenstoreRing.RECONNECT);
                p.settle();
                o.add("connection " + p.field(XenstoreRing.CONNECTION));
                p.send(new XsMessage(XsType.GET_DOMAIN_PATH.code(), 2, 0, XsPayload.strings("5")).encode());
                o.add("received " + p.received());
                o.add(p.introduce());
                o.add("connection " + p.field(XenstoreRing.CONNECTION));
                o.add("indices " + p.field(XenstoreRing.REQ_CONS) + " " + p.field(XenstoreRing.REQ_PROD) + " "
                        + p.field(XenstoreRing.RSP_CONS) + " " + p.field(XenstoreRing.RSP_PROD));
                o.add(p.dom0(XsType.WRITE, "/local/domain/5/data", "x").replace("\"OK\\0\"", "OK"));
                o.add("received " + p.received());
                p.send(new XsMessage(XsType.GET_DOMAIN_PATH.code(), 3, 0, XsPayload.strings("5")).encode());
                o.add("received " + p.received());
            }
        };

        final List<String> expected;

        Scenario(List<String> expected) {
            this.expected = expected;
        }

        abstract void play(Probe p, List<String> o) throws Exception;

        static void home(Probe p) throws Exception {
            p.dom0(XsType.MKDIR, "/local/domain/5");
            p.dom0(XsType.SET_PERMS, "/local/domain/5", "n5");
        }

        static byte[] header(int type, int reqId, int len) {
            return ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt(type).putInt(reqId).putInt(0).putInt(len)
                    .array();
        }
    }

    static String show(int type, int reqId, byte[] payload, boolean withReqId) {
        XsType t = XsType.of(type);
        return (t == null ? Integer.toUnsignedString(type) : t.name()) + (withReqId ? " req=" + Integer.toUnsignedString(reqId) : "")
                + " " + XsBytes.quote(payload);
    }

    @ParameterizedTest
    @EnumSource(Scenario.class)
    void oursMatchesCxenstored(Scenario s) throws Exception {
        List<String> ours = new ArrayList<>();
        try (Probe p = new Ours()) {
            s.play(p, ours);
        }
        assertThat(ours).as("our daemon").isEqualTo(s.expected);
    }

    @ParameterizedTest
    @EnumSource(Scenario.class)
    void realCxenstoredStillBehavesSo(Scenario s) throws Exception {
        List<String> real = new ArrayList<>();
        try (Probe p = new Real()) {
            s.play(p, real);
        }
        assertThat(real).as("the real cxenstored 4.17").isEqualTo(s.expected);
    }

    /** Our daemon: guest 5 played from the controlling thread, the world run until idle after each step. */
    static final class Ours implements Probe {
        private final RingWorld w = RingWorld.deterministic(99);
        private final GuestRingClient g = w.createGuest(5, 1);

        private void pump() {
            w.kernel.runUntilIdle(Duration.ofSeconds(10));
        }

        @Override
        public String dom0(XsType type, String... args) {
            XsMessage r = type == XsType.WRITE ? w.dom0.write(args[0], args[1]) : w.dom0.request(type, args);
            pump();
            return show(r.type(), r.reqId(), r.payload(), false);
        }

        @Override
        public String introduce() {
            return dom0(XsType.INTRODUCE, "5", Long.toString(g.gfn()), Integer.toString(g.port())).replace("\"OK\\0\"", "OK");
        }

        @Override
        public void send(byte[] bytes) {
            int off = 0;
            while (off < bytes.length) {
                int n = g.writeSome(bytes, off, bytes.length - off);
                if (n == 0) {
                    throw new IllegalStateException("req full");
                }
                off += n;
            }
            pump();
        }

        @Override
        public void poke(int offset, int value) {
            g.ring().view().putIntRelease(offset, value);
            g.kick();
            pump();
        }

        @Override
        public int field(int offset) {
            return g.ring().view().getIntAcquire(offset);
        }

        @Override
        public List<String> received() {
            pump();
            g.drain();
            pump();
            List<String> out = new ArrayList<>();
            for (var m = g.take(x -> true); m.isPresent(); m = g.take(x -> true)) {
                out.add(show(m.get().type(), m.get().reqId(), m.get().payload(), true));
            }
            return out;
        }

        @Override
        public void settle() {
            pump();
        }

        @Override
        public void close() {
            w.close();
        }
    }

    /** The real cxenstored 4.17 with guest 5's ring shared through the stub. */
    static final class Real implements Probe {
        private static final Duration QUIET = Duration.ofMillis(300);
        private static final int PORT = 7;
        private final RealCxenstored d;
        private final XsSocketClient a;
        private final RingGuest g;

        Real() throws Exception {
            d = RealCxenstored.builder().domains(0, 5).start();
            a = d.connect("a");
            g = d.guest(5);
        }

        @Override
        public String dom0(XsType type, String... args) throws XsClientException {
            byte[] payload = type == XsType.WRITE ? XsPayload.pathAndValue(args[0], args[1].getBytes())
                    : XsPayload.strings(args);
            int id = a.send(type.code(), 0, payload);
            XsSocketMessage r = a.awaitReply(id, Duration.ofSeconds(5));
            return show(r.type(), r.reqId(), r.payload(), false);
        }

        @Override
        public String introduce() throws XsClientException {
            return dom0(XsType.INTRODUCE, "5", "0", Integer.toString(PORT)).replace("\"OK\\0\"", "OK");
        }

        @Override
        public void send(byte[] bytes) throws XsClientException {
            g.sendRaw(bytes);
        }

        @Override
        public void poke(int offset, int value) throws Exception {
            g.poke(offset, value);
        }

        @Override
        public int field(int offset) {
            return g.field(offset);
        }

        @Override
        public List<String> received() throws XsClientException {
            List<String> out = new ArrayList<>();
            while (true) {
                try {
                    XsSocketMessage m = g.next(QUIET);
                    out.add(show(m.type(), m.reqId(), m.payload(), true));
                } catch (XsTimeoutException quiet) {
                    return out;
                }
            }
        }

        @Override
        public void settle() throws InterruptedException {
            // No event tells when the daemon is done with a ring it ignores: give it time.
            Thread.sleep(QUIET.toMillis());
        }

        @Override
        public void close() {
            g.close();
            a.close();
            d.close();
        }
    }
}
