package org.xenpv.core.evtchn;

/** Virtual IRQs a domain can bind a port to ({@code VIRQ_*}, {@code xen.h}). */
public final class Virq {

    /** {@code VIRQ_TIMER} (per vCPU). */
    public static final int TIMER = 0;
    /** {@code VIRQ_DEBUG} (per vCPU). */
    public static final int DEBUG = 1;
    /** {@code VIRQ_CONSOLE} (global, dom0): bytes on the emergency console. */
    public static final int CONSOLE = 2;
    /** {@code VIRQ_DOM_EXC} (global, dom0): a domain died or shut down; xenstored fires {@code @releaseDomain}. */
    public static final int DOM_EXC = 3;
    /** {@code VIRQ_TBUF} (global). */
    public static final int TBUF = 4;
    /** {@code VIRQ_DEBUGGER} (global). */
    public static final int DEBUGGER = 6;
    /** {@code VIRQ_XENOPROF} (per vCPU). */
    public static final int XENOPROF = 7;
    /** {@code VIRQ_CON_RING} (global). */
    public static final int CON_RING = 8;
    /** {@code VIRQ_PCPU_STATE} (global). */
    public static final int PCPU_STATE = 9;
    /** {@code VIRQ_MEM_EVENT} (global). */
    public static final int MEM_EVENT = 10;
    /** {@code VIRQ_ARGO} (global). */
    public static final int ARGO = 11;
    /** {@code VIRQ_ENOMEM} (global). */
    public static final int ENOMEM = 12;
    /** {@code VIRQ_XENPMU} (per vCPU). */
    public static final int XENPMU = 13;
    /** {@code VIRQ_ARCH_0}; x86 uses it as {@code VIRQ_MCA} (global). */
    public static final int ARCH_0 = 16;
    /** {@code VIRQ_ARCH_7}. */
    public static final int ARCH_7 = 23;
    /** {@code NR_VIRQS}: valid numbers are {@code 0 .. NR_VIRQS-1}. */
    public static final int NR_VIRQS = 24;

    private Virq() {
    }

    /**
     * Whether the VIRQ is global (bound on vCPU 0, movable with {@code EVTCHNOP_bind_vcpu}) rather than
     * per vCPU, as Xen's {@code virq_is_global} decides (x86: every arch VIRQ is global).
     */
    public static boolean isGlobal(int virq) {
        return switch (virq) {
            case TIMER, DEBUG, XENOPROF, XENPMU -> false;
            default -> true;
        };
    }

    /** {@code VIRQ_DOM_EXC} for 3, {@code VIRQ 5} for unnamed numbers. */
    public static String name(int virq) {
        return switch (virq) {
            case TIMER -> "VIRQ_TIMER";
            case DEBUG -> "VIRQ_DEBUG";
            case CONSOLE -> "VIRQ_CONSOLE";
            case DOM_EXC -> "VIRQ_DOM_EXC";
            case TBUF -> "VIRQ_TBUF";
            case DEBUGGER -> "VIRQ_DEBUGGER";
            case XENOPROF -> "VIRQ_XENOPROF";
            case CON_RING -> "VIRQ_CON_RING";
            case PCPU_STATE -> "VIRQ_PCPU_STATE";
            case MEM_EVENT -> "VIRQ_MEM_EVENT";
            case ARGO -> "VIRQ_ARGO";
            case ENOMEM -> "VIRQ_ENOMEM";
            case XENPMU -> "VIRQ_XENPMU";
            default -> virq >= ARCH_0 && virq <= ARCH_7 ? "VIRQ_ARCH_" + (virq - ARCH_0) : "VIRQ " + virq;
        };
    }
}
