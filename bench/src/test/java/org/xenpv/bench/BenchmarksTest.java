package org.xenpv.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openjdk.jmh.infra.Blackhole;
import org.xenpv.core.evtchn.EvtchnAbi;
import org.xenpv.core.ring.blkif.Blkif;
import org.xenpv.core.ring.blkif.BlkifResponse;
import org.xenpv.core.ring.netif.NetifCtrlResponse;
import org.xenpv.core.ring.netif.NetifRxResponse;
import org.xenpv.core.ring.netif.NetifTxResponse;

/**
 * Runs each benchmark method directly (not through JMH), a few times, and checks what it returns: the
 * benchmarks stay correct as the code they measure changes, and {@code mvn verify} exercises them.
 */
class BenchmarksTest {

    static Blackhole blackhole() {
        return new Blackhole("Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
    }

    @ParameterizedTest
    @ValueSource(strings = {"blkif", "blkif-x86_32", "netif-tx", "netif-rx", "netif-ctrl"})
    void ringRoundTripReturnsTheResponse(String layout) {
        RingBenchmarks b = new RingBenchmarks();
        b.layout = layout;
        b.setup();
        Object expected = switch (layout) {
            case "blkif", "blkif-x86_32" -> new BlkifResponse(1, Blkif.OP_READ, 0);
            case "netif-tx" -> new NetifTxResponse(3, 0);
            case "netif-rx" -> new NetifRxResponse(4, 0, 0, 1514);
            default -> new NetifCtrlResponse(5, 1, 0, 0);
        };
        Blackhole bh = blackhole();
        // More than a ring's worth, so the indices wrap around the slots.
        for (int i = 0; i < 300; i++) {
            assertThat(b.codecRoundTrip(bh)).isEqualTo(expected);
        }
    }

    @Test
    void blkifInPlaceEchoesEachId() {
        BlkifInPlaceBenchmark b = new BlkifInPlaceBenchmark();
        b.setup();
        Blackhole bh = blackhole();
        for (long id = 0; id < 100; id++) {
            assertThat(b.roundTrip(bh)).isEqualTo(id);
        }
    }

    @Test
    void grantCycles() {
        GrantBenchmarks b = new GrantBenchmarks();
        b.setup();
        try {
            Blackhole bh = blackhole();
            for (int i = 0; i < 10; i++) {
                assertThat(b.permitRevoke()).isTrue();
                assertThat(b.mapUnmap(bh)).isZero();
                assertThat(b.permitMapUnmapRevoke(bh)).isTrue();
            }
            assertThat(b.dom0().grants().mappingCount()).isZero();
            assertThat(b.guest().grantTable().inUse(GrantBenchmarks.MAPPED_REF)).isFalse();
        } finally {
            b.tearDown();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"PLATFORM", "VIRTUAL"})
    void evtchnPingPongCompletesEveryRoundTrip(String threads) {
        EvtchnPingPongBenchmark b = new EvtchnPingPongBenchmark();
        b.threads = threads;
        assertThat(b.pingPong()).isEqualTo(EvtchnPingPongBenchmark.ROUND_TRIPS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"2-level", "fifo"})
    void evtchnSendsAreDelivered(String abi) {
        EvtchnBenchmarks b = new EvtchnBenchmarks();
        b.abi = abi;
        b.setup();
        try {
            assertThat(b.guestAbi()).isEqualTo(abi.equals("fifo") ? EvtchnAbi.FIFO : EvtchnAbi.TWO_LEVEL);
            Blackhole bh = blackhole();
            for (int i = 0; i < 10; i++) {
                assertThat(b.sendTestAndClear()).isTrue();
                assertThat(b.sendDispatch(bh)).isEqualTo(1);
                assertThat(b.sendPollClear()).isTrue();
                assertThat(b.guestPending()).isFalse();
            }
            for (int i = 0; i < 10; i++) {
                assertThat(b.sendCoalesced()).isTrue();
            }
        } finally {
            b.tearDown();
        }
    }
}
