package org.xenpv.xenstore.cxenstored;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xenpv.xenstore.client.XsErrorException;
import org.xenpv.xenstore.client.XsSocketClient;
import org.xenpv.xenstore.client.XsSocketMessage;
import org.xenpv.xenstore.wire.XsError;

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
}
