package org.xenpv.core.domain;

import java.util.Optional;

/**
 * HVM parameters a PV-on-HVM guest reads and writes with {@code HVMOP_get_param}/{@code set_param}
 * ({@code hvm/params.h}). Only the indices the simulated platform gives meaning to, or that drivers
 * query, are named here ({@code __XEN_TOOLS__}-only ones are left out); {@link #HVM_NR_PARAMS} bounds the
 * raw index space.
 */
public enum HvmParam {
    /** {@code HVM_PARAM_CALLBACK_IRQ}: how event-channel upcalls reach the guest (type in bits 63:56). */
    CALLBACK_IRQ(0),
    /** {@code HVM_PARAM_STORE_PFN}: gfn of the xenstore ring page. */
    STORE_PFN(1),
    /** {@code HVM_PARAM_STORE_EVTCHN}: the guest's port of the xenstore event channel. */
    STORE_EVTCHN(2),
    /** {@code HVM_PARAM_IOREQ_PFN}. */
    IOREQ_PFN(5),
    /** {@code HVM_PARAM_BUFIOREQ_PFN}. */
    BUFIOREQ_PFN(6),
    /** {@code HVM_PARAM_VIRIDIAN}. */
    VIRIDIAN(9),
    /** {@code HVM_PARAM_TIMER_MODE}. */
    TIMER_MODE(10),
    /** {@code HVM_PARAM_HPET_ENABLED}. */
    HPET_ENABLED(11),
    /** {@code HVM_PARAM_IDENT_PT}. */
    IDENT_PT(12),
    /** {@code HVM_PARAM_ACPI_S_STATE}. */
    ACPI_S_STATE(14),
    /** {@code HVM_PARAM_VM86_TSS}. */
    VM86_TSS(15),
    /** {@code HVM_PARAM_VPT_ALIGN}. */
    VPT_ALIGN(16),
    /** {@code HVM_PARAM_CONSOLE_PFN}: gfn of the PV console ring page. */
    CONSOLE_PFN(17),
    /** {@code HVM_PARAM_CONSOLE_EVTCHN}: the guest's port of the console event channel. */
    CONSOLE_EVTCHN(18),
    /** {@code HVM_PARAM_ACPI_IOPORTS_LOCATION}. */
    ACPI_IOPORTS_LOCATION(19),
    /** {@code HVM_PARAM_TRIPLE_FAULT_REASON}. */
    TRIPLE_FAULT_REASON(31),
    /** {@code HVM_PARAM_VM_GENERATION_ID_ADDR}. */
    VM_GENERATION_ID_ADDR(34);

    /** {@code HVM_NR_PARAMS}: valid indices are {@code 0 .. HVM_NR_PARAMS-1}. */
    public static final int HVM_NR_PARAMS = 39;

    /** Bit position of the callback type in {@link #CALLBACK_IRQ} (mask {@code 0xFF00000000000000}). */
    public static final int CALLBACK_IRQ_TYPE_SHIFT = 56;
    /** {@code HVM_PARAM_CALLBACK_TYPE_GSI}: low bits are a GSI. */
    public static final int CALLBACK_TYPE_GSI = 0;
    /** {@code HVM_PARAM_CALLBACK_TYPE_PCI_INTX}: low bits are PCI segment/bus/device/INTx. */
    public static final int CALLBACK_TYPE_PCI_INTX = 1;
    /** {@code HVM_PARAM_CALLBACK_TYPE_VECTOR}: low bits are an x86 vector. */
    public static final int CALLBACK_TYPE_VECTOR = 2;

    private final int index;

    HvmParam(int index) {
        this.index = index;
    }

    /** The {@code HVM_PARAM_*} number. */
    public int index() {
        return index;
    }

    /** The named parameter with this index, if any. */
    public static Optional<HvmParam> of(int index) {
        for (HvmParam p : values()) {
            if (p.index == index) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** A {@link #CALLBACK_IRQ} value: {@code type} in bits 63:56, {@code value} below. */
    public static long callbackVia(int type, long value) {
        return ((long) type << CALLBACK_IRQ_TYPE_SHIFT) | (value & ((1L << CALLBACK_IRQ_TYPE_SHIFT) - 1));
    }
}
