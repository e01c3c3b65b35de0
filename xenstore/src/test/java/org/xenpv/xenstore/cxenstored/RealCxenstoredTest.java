package org.xenpv.xenstore.cxenstored;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
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
}
