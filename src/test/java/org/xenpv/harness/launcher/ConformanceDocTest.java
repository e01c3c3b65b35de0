package org.xenpv.harness.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenpv.harness.samples.DocSample;
import org.xenpv.harness.samples.Samples;

class ConformanceDocTest {

    @TempDir
    Path tmp;

    @Test
    @DisplayName("The checklist lists every rule with its reference, its tests and their status from the run")
    void generatesFromSampleRun() throws Exception {
        ConformanceResult r = Samples.run(Samples.request(tmp, DocSample.class));
        assertThat(r.summaryLine()).isEqualTo("6 passed, 1 failed, 1 skipped");
        Path doc = tmp.resolve("docs/conformance.md");
        ConformanceDoc.write(r, "xenpv conformance --doc docs/conformance.md", doc);
        String md = Files.readString(doc);
        assertThat(md).startsWith("# Conformance checklist\n")
                .contains("Result: 6 passed, 1 failed, 1 skipped.")
                .contains("| [SAMPLE-1](#sample-1) | xen-pv-protocols.md §ring.h | 2 | passed |")
                .contains("| [SAMPLE-2](#sample-2) | windows-pv-drivers.md §8 | 2 | FAILED |")
                .contains("| [SAMPLE-3](#sample-3) | xen-pv-protocols.md §xs_wire.h | 1 | skipped |")
                .contains("| [SAMPLE-10](#sample-10) | xen-pv-protocols.md §xs_wire.h | 1 | passed |")
                .contains("| The consumer index never passes the producer index<br>`DocSample#consumerBehindProducer`"
                        + " | SAMPLE-1 | ring, sample | 1, 2 | passed |")
                .contains("| A watch fires once when it is registered<br>`DocSample#watchFiresOnce` | SAMPLE-2 |"
                        + " sample, store | 1, 2; failed: 2 | FAILED: ")
                .contains("fires once \\| at seed 2")
                .contains("| A reply larger than the ring is split and reassembled<br>`DocSample#splitReply` |"
                        + " SAMPLE-10, SAMPLE-1 |")
                .contains("## Tests without a rule")
                .contains("Something without a rule");
        // Rules in natural order: SAMPLE-2 before SAMPLE-10, in the index and in the sections.
        assertThat(md.indexOf("| [SAMPLE-3]")).isLessThan(md.indexOf("| [SAMPLE-10]"));
        assertThat(md.indexOf("## SAMPLE-3")).isLessThan(md.indexOf("## SAMPLE-10"));
        // The splitReply test checks two rules and is listed under both.
        assertThat(md.split("DocSample#splitReply", -1)).hasSize(3);
        assertThat(ConformanceDoc.render(r, "xenpv conformance --doc docs/conformance.md"))
                .as("rendering is deterministic").isEqualTo(md);
    }

    @Test
    @DisplayName("A rule whose test was not in the run (another shard) is marked not run")
    void notRun() {
        ConformanceResult r = Samples.run(Samples.request(tmp, DocSample.class));
        ConformanceResult partial = new ConformanceResult(r.request(), r.selected(), r.outcomes().stream()
                .filter(o -> !o.methodName().equals("splitReply")).toList());
        assertThat(ConformanceDoc.render(partial, "x")).contains("| [SAMPLE-10](#sample-10) | xen-pv-protocols.md"
                + " §xs_wire.h | 1 | not run |");
    }

    @Test
    @DisplayName("Rule ids sort by prefix, then number")
    void ruleOrder() {
        assertThat(ConformanceDoc.compareRuleIds("XENBUS-2", "XENBUS-10")).isNegative();
        assertThat(ConformanceDoc.compareRuleIds("XENBUS-10", "XENVIF-1")).isNegative();
        assertThat(ConformanceDoc.compareRuleIds("KERNEL-3", "KERNEL-3")).isZero();
    }
}
