package org.xenpv.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.xenpv.core.grant.GrantMapping;
import org.xenpv.core.grant.GrantTable;
import org.xenpv.core.platform.Domain;
import org.xenpv.core.platform.Platform;
import org.xenpv.core.sim.Kernel;

/**
 * The grant life cycle between a guest and dom0 on the platform (event log off): the guest's
 * {@code permit}/{@code revoke} of a v1 entry, dom0's {@code GNTTABOP_map_grant_ref}/{@code unmap_grant_ref}
 * of a permitted ref, and the whole cycle a frontend and backend go through per connection.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class GrantBenchmarks {

    static final long GFN = 0x100;
    /** Permitted for the whole trial: what {@link #mapUnmap} maps. */
    static final int MAPPED_REF = GrantTable.NR_RESERVED_ENTRIES;
    /** Permitted and revoked in each invocation. */
    static final int CYCLED_REF = MAPPED_REF + 1;

    private Kernel kernel;
    private Domain guest;
    private Domain dom0;

    @Setup
    public void setup() {
        kernel = Kernel.concurrent();
        kernel.log().setEnabled(false);
        Platform platform = new Platform(kernel);
        guest = platform.createDomain("bench-guest");
        dom0 = platform.dom0();
        guest.grantTable().permit(MAPPED_REF, dom0.domid(), GFN, false);
    }

    @TearDown
    public void tearDown() {
        kernel.close();
    }

    /** Guest: grant a frame to dom0 and end the grant; returns whether the revoke succeeded (always). */
    @Benchmark
    public boolean permitRevoke() {
        guest.grantTable().permit(CYCLED_REF, dom0.domid(), GFN + 1, false);
        return guest.grantTable().revoke(CYCLED_REF);
    }

    /** dom0: map the guest's permitted ref and unmap it; the mapped page goes to {@code bh}. */
    @Benchmark
    public int mapUnmap(Blackhole bh) {
        GrantMapping m = dom0.grants().map(guest.domid(), MAPPED_REF, false);
        bh.consume(m.page());
        dom0.grants().unmap(m);
        return m.handle();
    }

    /** permit, map, unmap, revoke: a whole connection's worth of grant work for one page. */
    @Benchmark
    public boolean permitMapUnmapRevoke(Blackhole bh) {
        guest.grantTable().permit(CYCLED_REF, dom0.domid(), GFN + 1, false);
        GrantMapping m = dom0.grants().map(guest.domid(), CYCLED_REF, false);
        bh.consume(m.page());
        dom0.grants().unmap(m);
        return guest.grantTable().revoke(CYCLED_REF);
    }

    Domain guest() {
        return guest;
    }

    Domain dom0() {
        return dom0;
    }
}
