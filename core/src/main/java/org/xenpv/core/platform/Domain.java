package org.xenpv.core.platform;

import java.util.Arrays;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.concurrent.atomic.AtomicLongArray;
import org.xenpv.core.domain.DomId;
import org.xenpv.core.domain.GuestMemory;
import org.xenpv.core.domain.HvmParam;
import org.xenpv.core.domain.SharedInfo;
import org.xenpv.core.evtchn.EventChannels;
import org.xenpv.core.evtchn.Upcall;
import org.xenpv.core.grant.GrantOps;
import org.xenpv.core.grant.GrantTable;
import org.xenpv.core.mem.Page;
import org.xenpv.core.sim.Kernel;

/**
 * One domain of the simulated platform and everything the hypervisor keeps for it: guest memory,
 * the shared-info page, HVM parameters, its grant table (the guest side, {@link #grantTable()}),
 * the grant hypercalls it makes on other domains' grants ({@link #grants()}), and its event channels
 * ({@link #evtchn()}, which also carries {@code SCHEDOP_poll}).
 *
 * <p>Created and destroyed by {@link Platform}. A destroyed domain object stays readable (state
 * {@link State#DYING} or {@link State#DEAD}) but the platform no longer resolves its domid to it;
 * a domid reused later belongs to a new object with a higher {@link #incarnation()}.
 */
public final class Domain {

    /** Life cycle. */
    public enum State {
        /** Running: found by domid, may bind channels and be mapped. */
        RUNNING,
        /** Destroyed, but another domain still maps its grants: the domid stays taken (a zombie). */
        DYING,
        /** Gone; its domid may be reused. */
        DEAD
    }

    private final Kernel kernel;
    private final int domid;
    private final DomainConfig config;
    private final long incarnation;
    private final GuestMemory memory;
    private final SharedInfo sharedInfo;
    private final GrantTable grantTable;
    private final GrantOps grants;
    private final EventChannels evtchn;
    private final AtomicLongArray hvmParams = new AtomicLongArray(HvmParam.HVM_NR_PARAMS);
    private volatile State state = State.RUNNING;
    /** Set by SCHEDOP_shutdown, cleared by a resume; null while running. */
    private volatile ShutdownReason shutdown;
    /** The guest running here, once booted. Guarded by this. */
    private Vm vm;
    /** Whether a restored domain waits for its unpause. Guarded by this. */
    private boolean paused;
    /** gfn where the shared-info page is mapped, -1 if not. Guarded by this. */
    private long sharedInfoGfn = -1;
    /** gfn of each mapped grant frame, -1 if not. Guarded by this. */
    private long[] grantFrameGfns = new long[0];

    private final Platform platform;

    Domain(Platform platform, int domid, DomainConfig config, long incarnation) {
        this.platform = platform;
        this.kernel = platform.kernel();
        this.domid = domid;
        this.config = config;
        this.incarnation = incarnation;
        this.memory = new GuestMemory(domid, config.maxMemoryPages());
        this.sharedInfo = new SharedInfo(domid, config.vcpus(), kernel);
        this.grantTable = new GrantTable(domid, config.maxGrantFrames(), memory::lookup, kernel.log());
        this.grants = new GrantOps(domid, grantTable, platform::grantTableOf, memory::lookup, kernel.log(),
                config.maxMaptrackHandles());
        this.evtchn = new EventChannels(domid, config.privileged(), config.maxEvtchnPort(), config.fifoEvtchn(), kernel,
                sharedInfo, memory::lookup, platform::evtchnOf);
    }

    /** The platform this domain runs on. */
    public Platform platform() {
        return platform;
    }

    public int domid() {
        return domid;
    }

    public DomId id() {
        return new DomId(domid);
    }

    public String name() {
        return config.name();
    }

    /** A control domain (dom0). */
    public boolean privileged() {
        return config.privileged();
    }

    public DomainConfig config() {
        return config;
    }

    /** Creation serial number, unique for the platform's lifetime: tells a reused domid's domains apart. */
    public long incarnation() {
        return incarnation;
    }

    public State state() {
        return state;
    }

    void setState(State s) {
        state = s;
    }

    public boolean alive() {
        return state == State.RUNNING;
    }

    public int vcpus() {
        return config.vcpus();
    }

    /** Guest physical memory. */
    public GuestMemory memory() {
        return memory;
    }

    /** This domain's grant table: what it grants to others (guest side). */
    public GrantTable grantTable() {
        return grantTable;
    }

    /** Grant hypercalls this domain makes on others' grants (map, unmap, copy). */
    public GrantOps grants() {
        return grants;
    }

    /** This domain's event channels ({@code EVTCHNOP_*}, {@code SCHEDOP_poll}). */
    public EventChannels evtchn() {
        return evtchn;
    }

    /** The shared-info page. */
    public SharedInfo sharedInfo() {
        return sharedInfo;
    }

    /** vCPU 0's upcall: what the guest's interrupt actor waits on. */
    public Upcall upcall() {
        return evtchn.upcall(0);
    }

    public Upcall upcall(int vcpu) {
        return evtchn.upcall(vcpu);
    }

    /** {@code HVMOP_get_param}. */
    public long hvmParam(HvmParam p) {
        return hvmParams.get(p.index());
    }

    /** {@code HVMOP_set_param}. */
    public void setHvmParam(HvmParam p, long value) {
        setHvmParam(p.index(), value);
    }

    /** {@code HVMOP_get_param} by raw index. */
    public long hvmParam(int index) {
        checkParam(index);
        return hvmParams.get(index);
    }

    /** {@code HVMOP_set_param} by raw index. */
    public void setHvmParam(int index, long value) {
        checkParam(index);
        hvmParams.set(index, value);
        if (kernel.log().enabled()) {
            String name = HvmParam.of(index).map(Enum::name).orElse(Integer.toString(index));
            kernel.log().note("xen", DomId.name(domid) + " HVM_PARAM_" + name + " = 0x" + Long.toHexString(value));
        }
    }

    private void checkParam(int index) {
        if (index < 0 || index >= HvmParam.HVM_NR_PARAMS) {
            throw new IllegalArgumentException(DomId.name(domid) + ": HVM param " + index + " out of range (HVM_NR_PARAMS "
                    + HvmParam.HVM_NR_PARAMS + ")");
        }
    }

    /**
     * Why the domain is shut down ({@code XEN_DOMINF_shutdown} and its code), if it is: from the
     * guest's {@code SCHEDOP_shutdown} until the toolstack resumes or destroys it.
     */
    public Optional<ShutdownReason> shutdownReason() {
        return Optional.ofNullable(shutdown);
    }

    /** Whether the domain is shut down for any reason. */
    public boolean isShutdown() {
        return shutdown != null;
    }

    /** Whether a restored domain is still paused (its guest waits for {@code xl unpause}). */
    public synchronized boolean paused() {
        return paused;
    }

    /** The guest booted in this domain, if any. */
    public synchronized Optional<Vm> vm() {
        return Optional.ofNullable(vm);
    }

    synchronized Vm vm(Supplier<Vm> create) {
        if (vm == null) {
            vm = create.get();
        }
        return vm;
    }

    synchronized void detachVm(Vm v) {
        if (vm == v) {
            vm = null;
        }
    }

    synchronized void setPaused(boolean p) {
        paused = p;
    }

    void markShutdown(ShutdownReason reason) {
        if (state != State.RUNNING) {
            throw new IllegalStateException(this + ": SCHEDOP_shutdown(" + reason.controlValue() + ") on a domain that is "
                    + state.name().toLowerCase());
        }
        if (shutdown != null) {
            throw new IllegalStateException(this + ": SCHEDOP_shutdown(" + reason.controlValue()
                    + ") while already shut down (" + shutdown.controlValue() + ")");
        }
        shutdown = reason;
    }

    void clearShutdown() {
        shutdown = null;
    }

    /** The guest's {@code rdtsc}: the simulated TSC runs at 1 GHz on the kernel clock. */
    public long tsc() {
        return kernel.nanoTime();
    }

    /** Xen refreshing every vCPU's {@code vcpu_time_info} from the kernel clock. */
    public void updateTime() {
        long now = kernel.nanoTime();
        sharedInfo.updateTime(now, now);
    }

    /**
     * {@code XENMEM_add_to_physmap(XENMAPSPACE_shared_info, 0, gfn)}: the shared-info page appears
     * at {@code gfn} of guest memory (moved there if it was mapped elsewhere).
     */
    public synchronized void mapSharedInfo(long gfn) {
        if (sharedInfoGfn >= 0) {
            memory.removeXenPage(sharedInfoGfn);
        }
        memory.addXenPage(gfn, sharedInfo.page());
        sharedInfoGfn = gfn;
        note("shared_info mapped at gfn 0x" + Long.toHexString(gfn));
    }

    /**
     * {@code XENMEM_add_to_physmap(XENMAPSPACE_grant_table, index, gfn)}: grant frame {@code index}
     * appears at {@code gfn}, the table growing to {@code index + 1} frames if needed (Windows adds
     * frames one by one this way).
     *
     * @throws IllegalArgumentException ({@code -EINVAL}) if {@code index} is not below {@code max_grant_frames}
     */
    public synchronized Page mapGrantFrame(int index, long gfn) {
        if (index < 0 || !grantTable.grow(index + 1)) {
            throw new IllegalArgumentException(DomId.name(domid) + ": XENMEM_add_to_physmap grant frame " + index
                    + ": -EINVAL (max_grant_frames " + grantTable.maxFrames() + ")");
        }
        if (index >= grantFrameGfns.length) {
            long[] g = Arrays.copyOf(grantFrameGfns, index + 1);
            Arrays.fill(g, grantFrameGfns.length, g.length, -1L);
            grantFrameGfns = g;
        }
        if (grantFrameGfns[index] >= 0) {
            memory.removeXenPage(grantFrameGfns[index]);
        }
        Page frame = grantTable.frame(index);
        memory.addXenPage(gfn, frame);
        grantFrameGfns[index] = gfn;
        note("grant frame " + index + " mapped at gfn 0x" + Long.toHexString(gfn));
        return frame;
    }

    private void note(String what) {
        if (kernel.log().enabled()) {
            kernel.log().note("xen", DomId.name(domid) + " " + what);
        }
    }

    @Override
    public String toString() {
        return DomId.name(domid) + " '" + name() + "'" + (state == State.RUNNING ? "" : " " + state.name().toLowerCase())
                + (shutdown == null ? "" : " shutdown(" + shutdown.controlValue() + ")")
                + " #" + incarnation;
    }
}
