package org.xenpv.harness.samples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.xenpv.core.sim.Kernel;
import org.xenpv.harness.junit.Checks;
import org.xenpv.harness.junit.Seeds;
import org.xenpv.harness.junit.XenpvTest;

/** Rules with passing, failing and skipped tests, for the checklist generator's test. */
@Sample
@Tag("sample")
public class DocSample {

    @XenpvTest
    @Seeds({1, 2})
    @Tag("ring")
    @Checks(id = "SAMPLE-1", ref = "xen-pv-protocols.md §ring.h")
    @DisplayName("The consumer index never passes the producer index")
    void consumerBehindProducer(Kernel kernel) {
        assertThat(kernel.seed()).isPositive();
    }

    @XenpvTest
    @Seeds({1, 2})
    @Tag("store")
    @Checks(id = "SAMPLE-2", ref = "windows-pv-drivers.md §8")
    @DisplayName("A watch fires once when it is registered")
    void watchFiresOnce(Kernel kernel) {
        assertThat(kernel.seed()).as("fires once | at seed " + kernel.seed()).isEqualTo(1);
    }

    @Test
    @Tag("store")
    @Checks(id = "SAMPLE-2", ref = "windows-pv-drivers.md §8")
    @DisplayName("A watch token is echoed byte for byte")
    void tokenEchoed() {
    }

    @Test
    @Tag("store")
    @Checks(id = "SAMPLE-10", ref = "xen-pv-protocols.md §xs_wire.h")
    @Checks(id = "SAMPLE-1", ref = "xen-pv-protocols.md §ring.h")
    @DisplayName("A reply larger than the ring is split and reassembled")
    void splitReply() {
    }

    @Test
    @Tag("store")
    @Checks(id = "SAMPLE-3", ref = "xen-pv-protocols.md §xs_wire.h")
    @DisplayName("A transaction is retried on EAGAIN (needs a real daemon)")
    void needsDaemon() {
        Assumptions.assumeTrue(false, "no xenstored on this machine");
    }

    @Test
    @DisplayName("Something without a rule")
    void unruled() {
    }
}
