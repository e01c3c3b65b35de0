package org.xenpv.xenstore.cxenstored;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xenpv.xenstore.client.XsBytes;
import org.xenpv.xenstore.client.XsClosedException;
import org.xenpv.xenstore.client.XsErrorException;
import org.xenpv.xenstore.client.XsSocketClient;
import org.xenpv.xenstore.client.XsSocketMessage;
import org.xenpv.xenstore.client.XsTimeoutException;
import org.xenpv.xenstore.wire.XsError;
import org.xenpv.xenstore.wire.XsHeader;
import org.xenpv.xenstore.wire.XsType;

/** The rig itself: the real 4.17 daemon runs under the stub, serves dom0 on its socket and guests on rings. */
class RealCxenstoredTest {

    private static final Duration T = Duration.ofSeconds(5);

    @Test
    void dom0SocketWorksAndTraceIsWritten() throws Exception {
        try (RealCxenstored d = RealCxenstored.start(); XsSocketClient a = d.connect("a")) {
            a.write("/t/x", "hello");
            assertThat(a.readString("/t/x")).isEqualTo("hello");
            assertThat(a.getPerms("/t/x")).containsExactly("n0");
            assertThat(a.directory("/")).containsExactly("tool", "t");
            assertThat(d.traceLines().get(1)).isEqualTo("***");
            assertThat(d.traceLines()).anySatisfy(l -> assertThat(l).matches("IN 0x[0-9a-f]+ \\d{8} [\\d:]{8} WRITE \\(/t/x hello\\)"));
        }
    }

    @Test
    void guestOverRingIsUnprivileged() throws Exception {
        try (RealCxenstored d = RealCxenstored.builder().domains(0, 5).start(); XsSocketClient a = d.connect("a")) {
            RingGuest g = d.guest(5);
            a.mkdir("/local/domain/5");
            a.setPerms("/local/domain/5", "n5");
            a.introduce(5, 0, 7);
            g.write("data/x", "guest");
            assertThat(a.readString("/local/domain/5/data/x")).isEqualTo("guest");
            assertThat(a.getPerms("/local/domain/5/data/x")).containsExactly("n5");
            assertThatThrownBy(() -> g.write("/t", "no"))
                    .isInstanceOfSatisfying(XsErrorException.class, e -> assertThat(e.error()).isEqualTo(XsError.EACCES));
            assertThatThrownBy(() -> g.introduce(6, 0, 1))
                    .isInstanceOfSatisfying(XsErrorException.class, e -> assertThat(e.error()).isEqualTo(XsError.EACCES));
            g.watch("data", "tok");
            XsSocketMessage first = g.nextEvent(T);
            assertThat(first.stringList()).containsExactly("data", "tok");
            a.write("/local/domain/5/data/y", "1");
            assertThat(g.nextEvent(T).stringList()).containsExactly("data/y", "tok");
        }
    }

    /**
     * Domain existence comes from the stub's {@code xc_domain_getinfo}: a missing domain as owner is
     * ENOENT, while a missing domain in a later entry is accepted (cxenstored marks it ignored
     * internally and still reports it in GET_PERMS).
     */
    @Test
    void setPermsOwnerMustExist() throws Exception {
        try (RealCxenstored d = RealCxenstored.builder().domains(0, 5).start(); XsSocketClient a = d.connect("a")) {
            a.write("/t", "");
            a.setPerms("/t", "n5", "r0");
            assertThat(a.getPerms("/t")).containsExactly("n5", "r0");
            assertThatThrownBy(() -> a.setPerms("/t", "n6"))
                    .isInstanceOfSatisfying(XsErrorException.class, e -> assertThat(e.error()).isEqualTo(XsError.ENOENT));
            assertThat(a.getPerms("/t")).containsExactly("n5", "r0");
            a.setPerms("/t", "n0", "r6");
            assertThat(a.getPerms("/t")).containsExactly("n0", "r6");
            d.setDomains("0 5 6");
            a.setPerms("/t", "n6");
            assertThat(a.getPerms("/t")).containsExactly("n6");
            assertThat(List.of(a.isDomainIntroduced(0), a.isDomainIntroduced(5))).containsExactly(true, false);
        }
    }

    /** Requests and replies bigger than the 1 KiB rings, pipelined: both directions wrap and wait for space. */
    @Test
    void ringFlowControlWithMessagesLargerThanTheRing() throws Exception {
        try (RealCxenstored d = RealCxenstored.builder().domains(0, 5).start(); XsSocketClient a = d.connect("a")) {
            RingGuest g = d.guest(5);
            a.mkdir("/local/domain/5");
            a.setPerms("/local/domain/5", "n5");
            byte[] big = new byte[4000];
            for (int i = 0; i < big.length; i++) {
                big[i] = (byte) i;
            }
            a.write("/pub/big", big);
            a.setPerms("/pub/big", "n0", "r5");
            a.introduce(5, 0, 7);
            byte[] mine = java.util.Arrays.copyOf(big, 1900);
            g.write("v", mine);
            assertThat(g.read("v")).isEqualTo(mine);
            int[] reqs = new int[20];
            for (int i = 0; i < reqs.length; i++) {
                reqs[i] = g.send(XsType.READ.code(), 0, XsBytes.nulTerminated("/pub/big"));
            }
            for (int req : reqs) {
                XsSocketMessage r = g.awaitReply(req, T);
                assertThat(r.payload()).isEqualTo(big);
            }
            int[] idx = g.indices();
            assertThat(idx[0]).isEqualTo(idx[1]);
            assertThat(idx[2]).isEqualTo(idx[3]);
            assertThat(Integer.toUnsignedLong(idx[3])).isGreaterThan(20L * 4000);
        }
    }

    /** A domain the stub reports dying is cleaned up when VIRQ_DOM_EXC fires: @releaseDomain, ring unmapped. */
    @Test
    void dyingDomainIsReleasedOnVirq() throws Exception {
        try (RealCxenstored d = RealCxenstored.builder().domains(0, 5).start(); XsSocketClient a = d.connect("a")) {
            RingGuest g = d.guest(5);
            a.introduce(5, 0, 7);
            a.watch("@releaseDomain", "r");
            assertThat(a.nextEvent(T).stringList()).containsExactly("@releaseDomain", "r");
            assertThat(g.getDomainPath(5)).isEqualTo("/local/domain/5");

            d.setDomains("0 5:shutdown");
            d.kickVirq();
            assertThat(a.nextEvent(T).stringList()).containsExactly("@releaseDomain", "r");
            assertThat(a.isDomainIntroduced(5)).isTrue();

            d.setDomains("0");
            d.kickVirq();
            assertThat(a.nextEvent(T).stringList()).containsExactly("@releaseDomain", "r");
            assertThat(a.isDomainIntroduced(5)).isFalse();
            assertThatThrownBy(() -> g.getDomainPath(5)).isInstanceOf(XsClosedException.class);
            assertThat(d.evtchn().lines()).contains("unmap 5");
        }
    }

    /** A guest header announcing more than 4096 bytes makes cxenstored ignore the ring (error field 3). */
    @Test
    void oversizeHeaderOnARingSetsTheErrorField() throws Exception {
        try (RealCxenstored d = RealCxenstored.builder().domains(0, 5).start(); XsSocketClient a = d.connect("a")) {
            RingGuest g = d.guest(5);
            a.introduce(5, 0, 7);
            assertThat(g.ringError()).isZero();
            g.send(new XsHeader(XsType.READ.code(), 1, 0, 4097), new byte[0]);
            assertThatThrownBy(() -> g.nextReply(Duration.ofMillis(300))).isInstanceOf(XsTimeoutException.class);
            assertThat(g.ringError()).isEqualTo(3);
            assertThat(a.isDomainIntroduced(5)).isTrue();
            assertThat(d.traceLines()).anySatisfy(l -> assertThat(l).matches("CONN 0x[0-9a-f]+ ignored, reason 3"));
        }
    }

    @Test
    void socketConnectionDroppedForOversizeHeader() throws Exception {
        try (RealCxenstored d = RealCxenstored.start(); XsSocketClient a = d.connect("a"); XsSocketClient b = d.connect("b")) {
            b.send(new XsHeader(XsType.WRITE.code(), 1, 0, 4097), new byte[0]);
            assertThatThrownBy(() -> b.next(T)).isInstanceOf(XsClosedException.class);
            a.write("/still", "alive");
            assertThat(a.readString("/still")).isEqualTo("alive");
            assertThat(d.isAlive()).isTrue();
        }
    }

    /** cxenstored 4.17 ignores unknown options (getopt complains) but exits on a bad quota name. */
    @Test
    void fatalStartUpErrorCarriesTheDaemonsOutput() {
        RealCxenstored.assumeRunnable();
        assertThatThrownBy(() -> RealCxenstored.builder().quota("bogus", 1).start())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("xenstored exited with 1 during start-up")
                .hasMessageContaining("FATAL: unknown quota \"bogus=1\"");
        try (RealCxenstored d = RealCxenstored.builder().option("--no-such-option").start()) {
            assertThat(d.output()).contains("unrecognized option '--no-such-option'");
        }
    }

    @Test
    void quotaOptionsReachTheDaemon() throws Exception {
        try (RealCxenstored d = RealCxenstored.builder().domains(0, 5).watchNb(1).start();
                XsSocketClient a = d.connect("a")) {
            assertThat(d.command()).containsSubsequence("-W", "1");
            RingGuest g = d.guest(5);
            a.mkdir("/local/domain/5");
            a.setPerms("/local/domain/5", "n5");
            a.introduce(5, 0, 1);
            g.watch("x", "1");
            g.watch("x", "2"); // cxenstored 4.17 allows one more watch than -W says
            assertThatThrownBy(() -> g.watch("x", "3"))
                    .isInstanceOfSatisfying(XsErrorException.class, e -> assertThat(e.error()).isEqualTo(XsError.E2BIG));
        }
    }

    /**
     * The 4.17 trace format (reference §4.1), pinned for trace parsers: pointers are numbered in order of
     * appearance, timestamps and write-rate-limiter lines dropped. 4.17 logs no CREATE line for a
     * transaction, only its DESTROY.
     */
    @Test
    void traceRecordsObjectsRequestsAndReplies() throws Exception {
        try (RealCxenstored d = RealCxenstored.start(); XsSocketClient a = d.connect("a"); XsSocketClient b = d.connect("b")) {
            b.watch("/t", "tok");
            // under load cxenstored may read another connection's next request before it writes (and traces) this
            // queued event: take the initial event first so the trace order is fixed
            assertThat(b.nextEvent(T).stringList()).containsExactly("/t", "tok");
            a.write("/t/x", "v");
            assertThat(b.nextEvent(T).stringList()).containsExactly("/t/x", "tok");
            int tx = a.transactionStart();
            a.read(tx, "/t/x");
            a.transactionEnd(tx, false);
            a.send(99, 0, new byte[] {0});
            a.nextReply(T);
            a.send(XsType.READ.code(), 0, XsBytes.latin1("/t/x"));
            a.nextReply(T);
            b.unwatch("/t", "tok");
            // an OUT line is written after the reply is sent: one more round trip flushes the last one
            b.getDomainPath(0);
            List<String> trace = normalise(d.traceLines());
            assertThat(trace.indexOf("IN #3 <time> GET_DOMAIN_PATH (0 )")).isEqualTo(28);
            assertThat(trace.subList(0, 28)).containsExactly(
                    "",
                    "***",
                    "CREATE connection #1",
                    "Checking store ...",
                    "Checking store complete.",
                    "CREATE connection #2",
                    "CREATE connection #3",
                    "IN #3 <time> WATCH (/t tok )",
                    "CREATE watch #4",
                    "OUT #3 <time> WATCH (OK )",
                    "OUT #3 <time> WATCH_EVENT (/t tok )",
                    "IN #2 <time> WRITE (/t/x v)",
                    "OUT #2 <time> WRITE (OK )",
                    "OUT #3 <time> WATCH_EVENT (/t/x tok )",
                    "IN #2 <time> TRANSACTION_START ( )",
                    "OUT #2 <time> TRANSACTION_START (1 )",
                    "IN #2 <time> READ (/t/x )",
                    "OUT #2 <time> READ (v)",
                    "IN #2 <time> TRANSACTION_END (F )",
                    "DESTROY transaction #5",
                    "OUT #2 <time> TRANSACTION_END (OK )",
                    "IN #2 <time> **UNKNOWN** ( )",
                    "OUT #2 <time> ERROR (ENOSYS )",
                    "IN #2 <time> READ (/t/x)",
                    "OUT #2 <time> ERROR (ENOENT )",
                    "IN #3 <time> UNWATCH (/t tok )",
                    "DESTROY watch #4",
                    "OUT #3 <time> UNWATCH (OK )");
        }
    }

    private static List<String> normalise(List<String> trace) {
        java.util.Map<String, String> ids = new java.util.HashMap<>();
        java.util.regex.Pattern ptr = java.util.regex.Pattern.compile("0x[0-9a-f]+");
        return trace.stream().filter(l -> !l.startsWith("wrl:")).map(l -> {
            java.util.regex.Matcher m = ptr.matcher(l);
            StringBuilder sb = new StringBuilder();
            while (m.find()) {
                m.appendReplacement(sb, ids.computeIfAbsent(m.group(), k -> "#" + (ids.size() + 1)));
            }
            m.appendTail(sb);
            return sb.toString().replaceFirst(" \\d{8} \\d\\d:\\d\\d:\\d\\d ", " <time> ");
        }).toList();
    }
}
