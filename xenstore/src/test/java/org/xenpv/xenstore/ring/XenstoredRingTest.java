package org.xenpv.xenstore.ring;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xenpv.core.log.Event;
import org.xenpv.core.log.LogEntry;
import org.xenpv.core.platform.LeakCheck;
import org.xenpv.core.platform.LeakReport;
import org.xenpv.core.ring.xs.XenstoreRing;
import org.xenpv.core.sim.Actor;
import org.xenpv.core.sim.WaitQueue;
import org.xenpv.xenstore.client.XsBytes;
import org.xenpv.xenstore.wire.XsMessage;
import org.xenpv.xenstore.wire.XsPayload;
import org.xenpv.xenstore.wire.XsType;

/**
 * The ring transport of the simulated xenstored, driven by guest actors that play their rings byte for
 * byte ({@link GuestRingClient}) on the deterministic kernel with preemption points on, under several
 * seeds: requests and replies, watch events, pipelining, messages larger than the ring, a guest that
 * stops reading, indices near 2^32, hostile indices and headers, reconnection, and RELEASE / domain
 * destruction with the platform left clean.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS) // a hang guard only: the runs take milliseconds
class XenstoredRingTest {

    private static String show(XsMessage m) {
        XsType t = m.knownType();
        return (t == null ? Integer.toUnsignedString(m.type()) : t.name()) + " " + Integer.toUnsignedString(m.reqId())
                + " " + XsBytes.quote(m.payload());
    }

    private static String ok(XsType t, int reqId) {
        return t.name() + " " + reqId + " \"OK\\0\"";
    }

    private static String err(int reqId, String errno) {
        return "ERROR " + reqId + " \"" + errno + "\\0\"";
    }

    private static long count(RingWorld w, Class<? extends Event> type, String contains) {
        return w.kernel.log().entries().stream().map(LogEntry::event)
                .filter(e -> type.isInstance(e) && e.text().contains(contains)).count();
    }

    private static byte[] filled(int n, char c) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) c);
        return b;
    }

    // ---------------------------------------------------------------- basic service

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4})
    @DisplayName("A guest's requests over its ring: relative paths under /local/domain/N, EACCES outside its tree")
    void basicOperations(long seed) {
        try (RingWorld w = RingWorld.deterministic(seed)) {
            GuestRingClient g = w.introducedGuest(5);
            List<String> got = new ArrayList<>();
            Actor a = w.spawnGuest(g, c -> {
                got.add(show(c.write("data/x", "hello")));
                got.add(show(c.read("data/x")));
                got.add(show(c.read("/local/domain/5/data/x")));
                got.add(show(c.request(XsType.DIRECTORY, "/local/domain/5")));
                got.add(show(c.request(XsType.GET_DOMAIN_PATH, "5")));
                got.add(show(c.request(XsType.GET_PERMS, "data/x")));
                got.add(show(c.write("/tool/x", "v")));
                got.add(show(c.read("/tool/xenstored")));
                got.add(show(c.write("/local/domain/6/x", "v")));
                got.add(show(c.request(XsType.INTRODUCE, "6", "0", "1")));
                got.add(show(c.read("data/missing")));
            });
            w.runUntilFinished(a);
            assertThat(got).containsExactly(ok(XsType.WRITE, 1), "READ 2 \"hello\"", "READ 3 \"hello\"",
                    "DIRECTORY 4 \"data\\0\"", "GET_DOMAIN_PATH 5 \"/local/domain/5\\0\"", "GET_PERMS 6 \"n5\\0\"",
                    err(7, "EACCES"), err(8, "EACCES"), err(9, "EACCES"), err(10, "EACCES"), err(11, "ENOENT"));
            assertThat(show(w.dom0.request(XsType.READ, "/local/domain/5/data/x"))).endsWith("\"hello\"");

            String log = w.kernel.log().toText();
            assertThat(log).contains("grant map d0 <- d5 ref 1 rw handle 0",
                    "evtchn bind d0 port 3 interdomain <-> d5 port 1", "ring xenstore d5 consume req_cons",
                    "ring xenstore d5 push rsp_prod", "evtchn send d0 port 3 -> d5 port 1",
                    "evtchn send d5 port 1 -> d0 port 3", "xenstored: d5 introduced");
            assertThat(w.kernel.log().toText()).doesNotContain("FAULT");
            assertThat(g.ring().error()).isZero();
            assertThat(g.ring().serverFeatures()).as("cxenstored 4.17 advertises no feature").isZero();
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {5, 6, 7})
    @DisplayName("Watch events interleave with pipelined replies; an own write's event precedes its reply")
    void watchesAndPipelining(long seed) {
        try (RingWorld w = RingWorld.deterministic(seed)) {
            GuestRingClient g = w.introducedGuest(5);
            int n = 12;
            boolean[] watching = {false};
            List<XsMessage> seen = new ArrayList<>();
            WaitQueue q = w.kernel.waitQueue("test: watch set");
            Actor a = w.spawnGuest(g, c -> {
                XsMessage r = c.request(XsType.WATCH, "data", "w");
                assertThat(show(r)).isEqualTo(ok(XsType.WATCH, 1));
                watching[0] = true;
                q.wakeAll();
                // All writes in one go: the frames follow each other in req, several per kick.
                ByteBuffer all = ByteBuffer.allocate(64 * n);
                for (int i = 0; i < n; i++) {
                    all.put(XsMessage.write(100 + i, 0, "data/g" + i, new byte[] {'v'}).encode());
                }
                c.sendBytes(Arrays.copyOf(all.array(), all.position()));
                // Own events and replies, plus the dom0 writes' events, until everything is in.
                while (seen.stream().filter(m -> m.type() == XsType.WRITE.code()).count() < n
                        || seen.stream().filter(m -> m.type() == XsType.WATCH_EVENT.code()).count() < 1 + 2 * n) {
                    c.drain();
                    c.take(m -> true).ifPresentOrElse(seen::add, () -> c.awaitNotification(() -> false));
                }
            });
            w.kernel.runUntil(() -> watching[0]);
            for (int i = 0; i < n; i++) {
                assertThat(show(w.dom0.write("/local/domain/5/data/d" + i, "x"))).startsWith("WRITE");
            }
            w.runUntilFinished(a);

            assertThat(show(seen.get(0))).isEqualTo("WATCH_EVENT 0 \"data\\0w\\0\"");
            List<Integer> replies = new ArrayList<>();
            for (int i = 0; i < seen.size(); i++) {
                XsMessage m = seen.get(i);
                if (m.type() == XsType.WRITE.code()) {
                    replies.add(m.reqId());
                    int k = m.reqId() - 100;
                    assertThat(seen.subList(0, i)).as("event of own write %d before its reply", k)
                            .anyMatch(e -> show(e).equals("WATCH_EVENT 0 \"data/g" + k + "\\0w\\0\""));
                }
            }
            assertThat(replies).as("replies in request order").isSorted().hasSize(n);
            for (int i = 0; i < n; i++) {
                String own = "WATCH_EVENT 0 \"data/g" + i + "\\0w\\0\"";
                String dom0 = "WATCH_EVENT 0 \"data/d" + i + "\\0w\\0\"";
                assertThat(seen.stream().map(XenstoredRingTest::show).filter(s -> s.equals(own))).hasSize(1);
                assertThat(seen.stream().map(XenstoredRingTest::show).filter(s -> s.equals(dom0))).hasSize(1);
            }
            assertThat(count(w, Event.Fault.class, "")).isZero();
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {8, 9, 10})
    @DisplayName("Requests and replies larger than the 1 KiB ring go through in pieces, byte-exact")
    void largerThanTheRing(long seed) {
        try (RingWorld w = RingWorld.deterministic(seed)) {
            GuestRingClient g = w.introducedGuest(5);
            byte[] big = new byte[4000];
            for (int i = 0; i < big.length; i++) {
                big[i] = (byte) (i * 7 + 3);
            }
            assertThat(w.dom0.write("/local/domain/5/big", big).type()).isEqualTo(XsType.WRITE.code());
            byte[] mid = filled(1900, 'm');
            List<XsMessage> got = new ArrayList<>();
            Actor a = w.spawnGuest(g, c -> {
                got.add(c.read("big"));
                got.add(c.write(0, "mid", mid));
                got.add(c.read("mid"));
                got.add(c.write(0, "toolarge", filled(4000, 't')));
                got.add(c.read("big"));
            });
            w.runUntilFinished(a);
            assertThat(got.get(0).payload()).isEqualTo(big);
            assertThat(show(got.get(1))).isEqualTo(ok(XsType.WRITE, 2));
            assertThat(got.get(2).payload()).isEqualTo(mid);
            assertThat(show(got.get(3))).as("4000-byte request read whole; the node-size quota refuses it")
                    .isEqualTo(err(4, "ENOSPC"));
            assertThat(got.get(4).payload()).isEqualTo(big);
            assertThat(w.dom0.request(XsType.READ, "/local/domain/5/mid").payload()).isEqualTo(mid);
            // 2 x 4016 + 1916-byte replies cannot go in one push each.
            assertThat(count(w, Event.RingPush.class, "xenstore d5 push rsp")).isGreaterThanOrEqualTo(10);
            assertThat(count(w, Event.Fault.class, "")).isZero();
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {11, 12, 13})
    @DisplayName("A guest that stops reading: rsp fills, the daemon waits (no spin), the outstanding quota stops input")
    void guestStopsReading(long seed) {
        try (RingWorld w = RingWorld.deterministic(seed)) {
            GuestRingClient g = w.introducedGuest(5);
            byte[] big = filled(4000, 'b');
            w.dom0.write("/local/domain/5/big", big);
            int n = 25;
            boolean[] sent = {false};
            boolean[] readNow = {false};
            WaitQueue q = w.kernel.waitQueue("test: guest may read");
            List<XsMessage> replies = new ArrayList<>();
            Actor a = w.spawnGuest(g, c -> {
                int first = -1;
                for (int i = 0; i < n; i++) {
                    int id = c.nextReqId();
                    first = first < 0 ? id : first;
                    byte[] frame = new XsMessage(XsType.READ.code(), id, 0, XsPayload.strings("big")).encode();
                    int off = 0;
                    while (off < frame.length) {
                        int k = c.writeSome(frame, off, frame.length - off);
                        off += k;
                        if (k == 0) {
                            // req is full too: wait for the daemon (it stops reading at its quota).
                            sent[0] = true;
                            q.await(() -> readNow[0]);
                        }
                    }
                }
                sent[0] = true;
                q.await(() -> readNow[0]);
                for (int i = 0; i < n; i++) {
                    replies.add(c.awaitReply(first + i));
                }
            });
            w.kernel.runUntil(() -> sent[0]);
            w.kernel.runUntilIdle(Duration.ofSeconds(10));
            assertThat(a.finished()).isFalse();
            XenstoreRing ring = g.ring();
            assertThat(ring.rsp().available()).as("rsp full").isEqualTo(XenstoreRing.RING_SIZE);
            Xenstored.RingStatus st = w.xs.ringStatus(5).orElseThrow();
            assertThat(st.queuedMessages()).as("replies held by the daemon: the outstanding quota (20)").isEqualTo(20);
            assertThat(st.outputBacklog()).isEqualTo(4016 - 1024);
            assertThat(ring.req().available()).as("requests beyond the quota stay unread in req").isPositive();

            long pushes = count(w, Event.RingPush.class, "xenstore d5 push rsp");
            long consumes = count(w, Event.RingConsume.class, "xenstore d5 consume req");
            for (int i = 0; i < 3; i++) {
                g.kick();
                w.kernel.runUntilIdle(Duration.ofSeconds(10));
            }
            assertThat(count(w, Event.RingPush.class, "xenstore d5 push rsp")).as("nothing written while full")
                    .isEqualTo(pushes);
            assertThat(count(w, Event.RingConsume.class, "xenstore d5 consume req")).isEqualTo(consumes);

            readNow[0] = true;
            q.wakeAll();
            w.runUntilFinished(a);
            assertThat(replies).hasSize(n).allSatisfy(r -> assertThat(r.payload()).isEqualTo(big));
            assertThat(w.xs.ringStatus(5).orElseThrow().queuedMessages()).isZero();
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {16, 17})
    @DisplayName("A request written one byte per kick is reassembled across kicks")
    void partialAcrossKicks(long seed) {
        try (RingWorld w = RingWorld.deterministic(seed)) {
            GuestRingClient g = w.introducedGuest(5);
            byte[] frame = XsMessage.write(1, 0, "data/p", "partial".getBytes()).encode();
            List<String> got = new ArrayList<>();
            Actor a = w.spawnGuest(g, c -> {
                for (int i = 0; i < frame.length; i++) {
                    c.writeSome(frame, i, 1);
                    // The daemon consumes the byte and signals before the next one goes in.
                    int cons = i + 1;
                    while (c.ring().req().cons() != cons) {
                        c.awaitNotification(() -> false);
                    }
                }
                got.add(show(c.awaitReply(1)));
                got.add(show(c.read("data/p")));
            });
            w.runUntilFinished(a);
            assertThat(got).containsExactly(ok(XsType.WRITE, 1), "READ 1 \"partial\"");
            assertThat(count(w, Event.RingConsume.class, "xenstore d5 consume req")).as("one read per byte, then the READ")
                    .isEqualTo(frame.length + 2);
        }
    }

    @Test
    @DisplayName("Unread watch events of a guest that stops reading time out; one already being written does not")
    void unreadEventsTimeOut() {
        try (RingWorld w = RingWorld.deterministic(51)) {
            GuestRingClient g = w.introducedGuest(5);
            String token = "t".repeat(1500);
            boolean[] ready = {false};
            boolean[] readNow = {false};
            WaitQueue q = w.kernel.waitQueue("test: guest may read");
            List<String> got = new ArrayList<>();
            Actor a = w.spawnGuest(g, c -> {
                c.request(XsType.WATCH, "data", token);
                c.awaitEvent();
                ready[0] = true;
                q.await(() -> readNow[0]);
                for (int i = 0; i < 2; i++) {
                    got.add(XsPayload.split(c.awaitEvent().payload()).get(0));
                }
            });
            w.kernel.runUntil(() -> ready[0]);
            for (String n : List.of("a", "b", "c")) {
                w.dom0.write("/local/domain/5/data/" + n, "1");
            }
            w.kernel.runUntilIdle(Duration.ofSeconds(1));
            assertThat(w.xs.ringStatus(5).orElseThrow().queuedMessages()).isEqualTo(3);
            w.kernel.runFor(Duration.ofSeconds(25));
            readNow[0] = true;
            q.wakeAll();
            w.kernel.runUntil(() -> got.size() == 1);
            w.kernel.runUntilIdle(Duration.ofSeconds(1));
            assertThat(got).as("data/a was partly in the ring: it is completed; b and c timed out").containsExactly("data/a");
            assertThat(w.trace.notes).contains("watch event path data/b for domain 5 timed out",
                    "watch event path data/c for domain 5 timed out")
                    .doesNotContain("watch event path data/a for domain 5 timed out");
            w.dom0.write("/local/domain/5/data/d", "1");
            w.runUntilFinished(a);
            assertThat(got).containsExactly("data/a", "data/d");
        }
    }

    @Test
    @DisplayName("More guests than one SCHEDOP_poll covers (128 ports) are all served")
    void manyGuests() {
        try (RingWorld w = RingWorld.deterministic(61)) {
            int n = 130;
            List<Actor> actors = new ArrayList<>();
            List<String> bad = new ArrayList<>();
            for (int d = 1; d <= n; d++) {
                GuestRingClient g = w.introducedGuest(d);
                String v = "v" + d;
                actors.add(w.spawnGuest(g, c -> {
                    String r = show(c.write("x", v)) + " " + show(c.read("x"));
                    if (!r.equals(ok(XsType.WRITE, 1) + " READ 2 \"" + v + "\"")) {
                        bad.add("d" + c.domid() + ": " + r);
                    }
                }));
            }
            w.runUntilFinished(actors.toArray(Actor[]::new));
            assertThat(bad).isEmpty();
            assertThat(w.xs.servedDomains()).hasSize(n);
            w.xs.stop();
            assertThat(w.platform.leakReport().leaks()).noneMatch(l -> l instanceof LeakReport.LiveMapping);
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {14, 15})
    @DisplayName("Indices starting near 2^32 wrap on both rings")
    void indicesNearWrap(long seed) {
        try (RingWorld w = RingWorld.deterministic(seed)) {
            GuestRingClient g = w.introducedGuest(5);
            int start = 0xFFFFFF00;
            g.ring().req().setCons(start);
            g.ring().req().setProd(start);
            g.ring().rsp().setCons(start);
            g.ring().rsp().setProd(start);
            List<String> got = new ArrayList<>();
            Actor a = w.spawnGuest(g, c -> {
                for (int i = 0; i < 20; i++) {
                    got.add(show(c.write("k" + i, "value-" + i)));
                    got.add(show(c.read("k" + i)));
                }
            });
            w.runUntilFinished(a);
            for (int i = 0; i < 20; i++) {
                assertThat(got.get(2 * i)).isEqualTo(ok(XsType.WRITE, 2 * i + 1));
                assertThat(got.get(2 * i + 1)).isEqualTo("READ " + (2 * i + 2) + " \"value-" + i + "\"");
            }
            assertThat(Integer.compareUnsigned(g.ring().req().prod(), start)).as("req wrapped").isNegative();
            assertThat(Integer.compareUnsigned(g.ring().rsp().prod(), start)).as("rsp wrapped").isNegative();
            assertThat(w.kernel.log().toText()).contains("consume req_cons 42949672").contains("push rsp_prod 42949672");
            assertThat(count(w, Event.Fault.class, "")).isZero();
        }
    }

    // ---------------------------------------------------------------- hostile guests

    /** Guest 5 misbehaves, guest 6 and dom0 must not notice. */
    private interface Misdeed {
        void commit(RingWorld w, GuestRingClient g);
    }

    private static void misbehave(long seed, int expectedError, Misdeed misdeed) {
        try (RingWorld w = RingWorld.deterministic(seed)) {
            w.dom0.ok(XsType.WATCH, "@releaseDomain", "rel");
            GuestRingClient g = w.introducedGuest(5);
            GuestRingClient h = w.introducedGuest(6);
            Actor a = w.spawnGuest(g, c -> assertThat(c.write("data/keep", "v").type()).isEqualTo(XsType.WRITE.code()));
            w.runUntilFinished(a);
            w.dom0.takeEvents();

            misdeed.commit(w, g);
            w.kernel.runUntilIdle(Duration.ofSeconds(10));

            assertThat(g.ring().error()).isEqualTo(expectedError);
            assertThat(w.xs.ringStatus(5).orElseThrow().ignored()).isTrue();
            assertThat(w.trace.notes).anyMatch(l -> l.matches("CONN 0x[0-9a-f]+ ignored, reason " + expectedError));
            // Ignored: a valid request now gets no answer.
            int rspBefore = g.ring().rsp().prod();
            g.ring().req().setCons(0);
            g.ring().req().setProd(0);
            g.ring().rsp().setCons(rspBefore);
            byte[] read = new XsMessage(XsType.READ.code(), 77, 0, XsPayload.strings("data/keep")).encode();
            g.writeSome(read, 0, read.length);
            w.kernel.runUntilIdle(Duration.ofSeconds(10));
            assertThat(g.ring().rsp().prod()).as("no reply on an ignored ring").isEqualTo(rspBefore);
            // Everyone else carries on; what the bad guest committed stays; it stays introduced.
            List<String> other = new ArrayList<>();
            Actor b = w.spawnGuest(h, c -> {
                other.add(show(c.write("ok", "1")));
                other.add(show(c.read("ok")));
            });
            w.runUntilFinished(b);
            assertThat(other).containsExactly(ok(XsType.WRITE, 1), "READ 2 \"1\"");
            assertThat(show(w.dom0.request(XsType.READ, "/local/domain/5/data/keep"))).endsWith("\"v\"");
            assertThat(show(w.dom0.request(XsType.IS_DOMAIN_INTRODUCED, "5"))).endsWith("\"T\\0\"");
            assertThat(w.dom0.takeEvents()).as("no @releaseDomain: the domain still exists (XSA-325)").isEmpty();
            assertThat(g.mappedByDom0()).isTrue();
            // Only its destruction releases it.
            w.platform.destroyDomain(5);
            w.kernel.runUntil(() -> !w.dom0.takeEvents().isEmpty());
            assertThat(g.mappedByDom0()).isFalse();
            assertThat(w.platform.zombies()).isEmpty();
        }
    }

    @Test
    @DisplayName("req_prod - req_cons > 1024: error = 2 (XENSTORE_ERROR_RINGIDX), connection ignored, others served")
    void badRequestIndex() {
        misbehave(21, XenstoreRing.ERROR_RINGIDX, (w, g) -> {
            int cons = g.ring().req().cons();
            g.ring().req().setProd(cons + 2000);
            g.kick();
        });
    }

    @Test
    @DisplayName("rsp_prod - rsp_cons > 1024 seen when replying: the request is done, then error = 2")
    void badResponseIndex() {
        misbehave(22, XenstoreRing.ERROR_RINGIDX, (w, g) -> {
            g.ring().rsp().setCons(g.ring().rsp().prod() - 3000);
            byte[] frame = XsMessage.write(50, 0, "data/done", new byte[] {'y'}).encode();
            g.writeSome(frame, 0, frame.length);
            w.kernel.runUntilIdle(Duration.ofSeconds(10));
            assertThat(show(w.dom0.request(XsType.READ, "/local/domain/5/data/done")))
                    .as("processed before the reply could not be written").endsWith("\"y\"");
        });
    }

    @Test
    @DisplayName("Header len 4097: error = 3 (XENSTORE_ERROR_PROTO), no reply, connection ignored, others served")
    void oversizedHeader() {
        misbehave(23, XenstoreRing.ERROR_PROTO, (w, g) -> {
            byte[] h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putInt(XsType.WRITE.code()).putInt(9)
                    .putInt(0).putInt(4097).put("garbage!".getBytes()).array();
            g.writeSome(h, 0, h.length);
        });
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {24, 25})
    @DisplayName("A garbage type is answered ENOSYS and the ring stays served (cxenstored 4.17)")
    void garbageType(long seed) {
        try (RingWorld w = RingWorld.deterministic(seed)) {
            GuestRingClient g = w.introducedGuest(5);
            List<String> got = new ArrayList<>();
            Actor a = w.spawnGuest(g, c -> {
                c.send(new XsMessage(0xdeadbeef, 41, 0, new byte[] {1, 2, 3}));
                got.add(show(c.awaitReply(41)));
                got.add(show(c.write("after", "1")));
            });
            w.runUntilFinished(a);
            assertThat(got).containsExactly(err(41, "ENOSYS"), ok(XsType.WRITE, 1));
            assertThat(g.ring().error()).isZero();
        }
    }

    // ---------------------------------------------------------------- reconnection

    @Test
    @DisplayName("cxenstored 4.17: connection = 1 is only looked at on INTRODUCE, which resets the ring")
    void reconnectOnIntroduce() {
        try (RingWorld w = RingWorld.deterministic(31)) {
            GuestRingClient g = w.introducedGuest(5);
            int[] tx = {0};
            Actor a = w.spawnGuest(g, c -> {
                assertThat(c.request(XsType.WATCH, "data", "w").type()).isEqualTo(XsType.WATCH.code());
                c.awaitEvent();
                tx[0] = Integer.parseInt(c.request(XsType.TRANSACTION_START, "").strings().get(0));
                byte[] half = Arrays.copyOf(new XsMessage(XsType.READ.code(), 9, 0, XsPayload.strings("data")).encode(), 8);
                c.writeSome(half, 0, half.length);
                c.ring().setConnection(XenstoreRing.RECONNECT);
                c.kick();
            });
            w.runUntilFinished(a);
            w.kernel.runUntilIdle(Duration.ofSeconds(10));
            assertThat(g.ring().connection()).as("4.17 does not act on it by itself").isEqualTo(XenstoreRing.RECONNECT);
            assertThat(w.xs.ringStatus(5).orElseThrow().inputInFlight()).isTrue();

            w.dom0.ok(XsType.INTRODUCE, "5", Long.toString(g.gfn()), Integer.toString(g.port()));
            assertThat(g.ring().connection()).isEqualTo(XenstoreRing.CONNECTED);
            assertThat(new int[] {g.ring().req().cons(), g.ring().req().prod(), g.ring().rsp().cons(),
                g.ring().rsp().prod()}).containsOnly(0);
            assertThat(w.xs.ringStatus(5).orElseThrow().inputInFlight()).isFalse();
            assertAfterReset(w, g, tx[0]);
        }
    }

    @Test
    @DisplayName("With XENSTORE_SERVER_FEATURE_RECONNECTION: a guest's connection = 1 resets the ring at once")
    void reconnectAtAnyTime() {
        try (RingWorld w = RingWorld.deterministic(32,
                XenstoredConfig.cxenstored417().withServerFeatures(XenstoreRing.SERVER_FEATURE_RECONNECTION))) {
            GuestRingClient g = w.introducedGuest(5);
            assertThat(g.ring().serverFeatures()).isEqualTo(XenstoreRing.SERVER_FEATURE_RECONNECTION);
            int[] tx = {0};
            Actor a = w.spawnGuest(g, c -> {
                assertThat(c.request(XsType.WATCH, "data", "w").type()).isEqualTo(XsType.WATCH.code());
                c.awaitEvent();
                tx[0] = Integer.parseInt(c.request(XsType.TRANSACTION_START, "").strings().get(0));
                byte[] half = Arrays.copyOf(new XsMessage(XsType.READ.code(), 9, 0, XsPayload.strings("data")).encode(), 8);
                c.writeSome(half, 0, half.length);
                c.reconnect();
            });
            w.runUntilFinished(a);
            assertThat(g.ring().connection()).isEqualTo(XenstoreRing.CONNECTED);
            assertThat(w.kernel.log().toText()).contains("xenstored: d5 reconnection");
            assertAfterReset(w, g, tx[0]);
        }
    }

    /** After a reset: no partial request, no watch, no transaction; the ring works. */
    private static void assertAfterReset(RingWorld w, GuestRingClient g, int oldTx) {
        w.dom0.write("/local/domain/5/data/z", "1");
        w.kernel.runUntilIdle(Duration.ofSeconds(10));
        assertThat(g.ring().rsp().available()).as("watch discarded: no event").isZero();
        List<String> got = new ArrayList<>();
        Actor b = w.spawnGuest(g, c -> {
            got.add(show(c.request(XsType.READ, oldTx, XsPayload.strings("data/z"))));
            got.add(show(c.read("data/z")));
        });
        w.runUntilFinished(b);
        assertThat(got.get(0)).as("transaction discarded").endsWith("\"ENOENT\\0\"");
        assertThat(got.get(1)).endsWith("\"1\"");
        assertThat(g.ring().error()).isZero();
    }

    // ---------------------------------------------------------------- release and destruction

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {41, 42})
    @DisplayName("RELEASE: @releaseDomain, the domain's nodes deleted, ring unmapped and channel unbound (no leak)")
    void releaseCleansUp(long seed) {
        try (RingWorld w = RingWorld.deterministic(seed)) {
            w.dom0.ok(XsType.WATCH, "@releaseDomain", "rel");
            GuestRingClient g = w.introducedGuest(5);
            Actor a = w.spawnGuest(g, c -> c.write("data/x", "v"));
            w.runUntilFinished(a);
            w.dom0.takeEvents();
            assertThat(w.platform.leakReport().leaks()).anyMatch(l -> l instanceof LeakReport.LiveMapping);

            w.dom0.ok(XsType.RELEASE, "5");
            w.kernel.runUntilIdle(Duration.ofSeconds(10));
            assertThat(w.dom0.takeEvents()).extracting(XenstoredRingTest::show)
                    .containsExactly("WATCH_EVENT 0 \"@releaseDomain\\0rel\\0\"");
            assertThat(show(w.dom0.request(XsType.READ, "/local/domain/5/data/x"))).endsWith("\"ENOENT\\0\"");
            assertThat(w.platform.leakReport().leaks()).noneMatch(l -> l instanceof LeakReport.LiveMapping);
            assertThat(w.xs.ringStatus(5)).isEmpty();
            assertThat(w.kernel.log().toText()).contains("grant unmap d0 handle 0 (d5 ref 1)", "evtchn close d0 port 3");

            // The guest can take its grant back (it could not while mapped) and close its port.
            assertThat(g.domain().grantTable().revoke(1)).isTrue();
            g.domain().evtchn().close(g.port());
            w.xs.stop();
            LeakCheck.assertNoLeaks(w.platform);
        }
    }

    @Test
    @DisplayName("Domain destruction: VIRQ_DOM_EXC -> @releaseDomain, nodes deleted, ring unmapped, zombie gone")
    void destroyCleansUp() {
        try (RingWorld w = RingWorld.deterministic(43)) {
            w.dom0.ok(XsType.WATCH, "@releaseDomain", "rel");
            GuestRingClient g = w.introducedGuest(5);
            Actor a = w.spawnGuest(g, c -> c.write("data/x", "v"));
            w.runUntilFinished(a);
            w.dom0.takeEvents();

            w.platform.destroyDomain(5);
            assertThat(w.platform.zombies()).as("our mapping keeps it").hasSize(1);
            List<XsMessage> events = new ArrayList<>();
            w.kernel.runUntil(() -> {
                events.addAll(w.dom0.takeEvents());
                return !events.isEmpty();
            });
            assertThat(events).extracting(XenstoredRingTest::show).containsExactly("WATCH_EVENT 0 \"@releaseDomain\\0rel\\0\"");
            assertThat(show(w.dom0.request(XsType.READ, "/local/domain/5"))).endsWith("\"ENOENT\\0\"");
            assertThat(w.platform.zombies()).isEmpty();
            assertThat(show(w.dom0.request(XsType.IS_DOMAIN_INTRODUCED, "5"))).endsWith("\"F\\0\"");
            w.xs.stop();
            LeakCheck.assertNoLeaks(w.platform);
        }
    }

    @Test
    @DisplayName("INTRODUCE fails cleanly without the guest's grant ref 1 or for a missing domain")
    void introduceFailures() {
        try (RingWorld w = RingWorld.deterministic(44)) {
            w.platform.createDomain(org.xenpv.core.platform.DomainConfig.guest("nogrant").withDomid(7));
            int port = w.platform.domain(7).evtchn().allocUnbound(0);
            assertThat(show(w.dom0.request(XsType.INTRODUCE, "7", "0", Integer.toString(port))))
                    .isEqualTo(err(1, "EINVAL"));
            assertThat(show(w.dom0.request(XsType.INTRODUCE, "9", "0", "1"))).endsWith("\"EINVAL\\0\"");
            assertThat(show(w.dom0.request(XsType.IS_DOMAIN_INTRODUCED, "7"))).endsWith("\"F\\0\"");
            // Granted but the port is not unbound for dom0: the mapping is undone.
            GuestRingClient g = w.createGuest(8, 1);
            assertThat(show(w.dom0.request(XsType.INTRODUCE, "8", "0", "33"))).endsWith("\"EINVAL\\0\"");
            assertThat(g.mappedByDom0()).isFalse();
            assertThat(w.platform.leakReport().leaks()).noneMatch(l -> l instanceof LeakReport.LiveMapping);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> w.xs.introduce(7, 0, port))
                    .isInstanceOf(IntroduceException.class).hasMessageContaining("INTRODUCE of domain 7")
                    .hasMessageContaining("grant ref 1");
        }
    }

    @Test
    @DisplayName("Programmatic introduce and release, and a re-INTRODUCE on another port")
    void programmaticIntroduce() {
        try (RingWorld w = RingWorld.deterministic(45)) {
            w.dom0.ok(XsType.WATCH, "@introduceDomain", "in");
            w.dom0.takeEvents();
            GuestRingClient g = w.createGuest(5, 2);
            w.dom0.ok(XsType.MKDIR, "/local/domain/5");
            w.dom0.ok(XsType.SET_PERMS, "/local/domain/5", "n5");
            w.xs.introduce(5, g.gfn(), g.ports()[0]);
            w.kernel.runUntilIdle(Duration.ofSeconds(10));
            assertThat(w.dom0.takeEvents()).extracting(XenstoredRingTest::show)
                    .containsExactly("WATCH_EVENT 0 \"@introduceDomain\\0in\\0\"");
            Actor a = w.spawnGuest(g, c -> assertThat(show(c.write("x", "1"))).isEqualTo(ok(XsType.WRITE, 1)));
            w.runUntilFinished(a);
            w.xs.introduce(5, g.gfn(), g.ports()[1]);
            assertThat(g.port()).isEqualTo(g.ports()[1]);
            assertThat(w.xs.ringStatus(5).orElseThrow().remotePort()).isEqualTo(g.ports()[1]);
            Actor b = w.spawnGuest(g, c -> assertThat(show(c.read("x"))).isEqualTo("READ 2 \"1\""));
            w.runUntilFinished(b);
            assertThat(w.dom0.takeEvents()).as("re-INTRODUCE fires nothing").isEmpty();
            w.xs.release(5);
            assertThat(w.xs.servedDomains()).isEmpty();
            assertThat(g.mappedByDom0()).isFalse();
        }
    }

    // ---------------------------------------------------------------- modes and determinism

    @Test
    @DisplayName("Concurrent kernel: every engine call runs on d0/xenstored; guests and dom0 on other threads")
    void concurrentMode() {
        try (RingWorld w = new RingWorld(org.xenpv.core.sim.Kernel.concurrent(), XenstoredConfig.cxenstored417())) {
            GuestRingClient g = w.introducedGuest(5);
            GuestRingClient h = w.introducedGuest(6);
            int n = 200;
            List<String> bad = java.util.Collections.synchronizedList(new ArrayList<>());
            Actor a = w.spawnGuest(g, c -> {
                for (int i = 0; i < n; i++) {
                    c.write("k", Integer.toString(i));
                    if (!show(c.read("k")).endsWith("\"" + i + "\"")) {
                        bad.add("d5 " + i);
                    }
                }
            });
            Actor b = w.spawnGuest(h, c -> {
                for (int i = 0; i < n; i++) {
                    c.write("k", Integer.toString(i));
                    if (!show(c.read("k")).endsWith("\"" + i + "\"")) {
                        bad.add("d6 " + i);
                    }
                }
            });
            for (int i = 0; i < 50; i++) {
                w.dom0.write("/local/domain/0/k", Integer.toString(i));
            }
            w.kernel.runUntil(() -> a.finished() && b.finished(), Duration.ofSeconds(30));
            assertThat(bad).isEmpty();
            assertThat(w.trace.threads).containsExactly("xenpv-d0/xenstored");
            w.dom0.ok(XsType.RELEASE, "5");
            w.dom0.ok(XsType.RELEASE, "6");
            w.xs.stop();
            assertThat(w.platform.leakReport().leaks()).noneMatch(l -> l instanceof LeakReport.LiveMapping
                    || l instanceof LeakReport.BoundChannel c && c.domid() == 0);
        }
    }

    @Test
    @DisplayName("The same seed gives the same event log, byte for byte")
    void reproducible() {
        assertThat(scenarioLog(77)).isEqualTo(scenarioLog(77));
    }

    private static String scenarioLog(long seed) {
        try (RingWorld w = RingWorld.deterministic(seed)) {
            GuestRingClient g = w.introducedGuest(5);
            w.dom0.write("/local/domain/5/big", filled(3000, 'q'));
            Actor a = w.spawnGuest(g, c -> {
                c.request(XsType.WATCH, "big", "t");
                c.read("big");
                c.write("x", "y");
            });
            w.runUntilFinished(a);
            w.dom0.write("/local/domain/5/big", "z");
            w.kernel.runUntilIdle(Duration.ofSeconds(10));
            return w.kernel.log().toText();
        }
    }
}
