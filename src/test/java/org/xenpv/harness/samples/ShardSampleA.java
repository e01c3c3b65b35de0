package org.xenpv.harness.samples;

import org.junit.jupiter.api.Test;
import org.xenpv.core.sim.Kernel;
import org.xenpv.harness.junit.Seeds;
import org.xenpv.harness.junit.XenpvTest;

/** Part of a small suite split into shards by the harness's sharding test. */
@Sample
public class ShardSampleA {

    @XenpvTest
    @Seeds({1, 2})
    void seededOne(Kernel kernel) {
    }

    @XenpvTest
    @Seeds({1, 2, 3})
    void seededTwo(Kernel kernel) {
    }

    @Test
    void plainOne() {
    }

    @Test
    void plainTwo() {
    }

    @Test
    void plainThree() {
    }
}
