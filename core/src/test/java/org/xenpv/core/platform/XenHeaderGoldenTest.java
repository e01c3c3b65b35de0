package org.xenpv.core.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xenpv.core.domain.DomId;
import org.xenpv.core.domain.HvmParam;
import org.xenpv.core.domain.SharedInfo;
import org.xenpv.core.evtchn.Errno;
import org.xenpv.core.evtchn.EvtchnFifo;
import org.xenpv.core.evtchn.EvtchnStatus;
import org.xenpv.core.evtchn.Virq;
import org.xenpv.core.grant.GntSt;
import org.xenpv.core.grant.GrantCopy;
import org.xenpv.core.grant.GrantEntryV1;
import org.xenpv.core.grant.GrantTable;
import org.xenpv.core.grant.Gtf;

/**
 * Every layout and constant the platform hard-codes, checked against the real Xen public headers
 * compiled with gcc for x86_64 (skipped with a message when gcc or libxen-dev is missing).
 */
class XenHeaderGoldenTest {

    /** C expression -> the Java value that must equal it. */
    private static final Map<String, Long> EXPECTED = new LinkedHashMap<>();

    private static void expect(String cExpression, long javaValue) {
        EXPECTED.put(cExpression, javaValue);
    }

    private static void struct(String struct, long size, Object... fieldOffsets) {
        expect("sizeof(struct " + struct + ")", size);
        for (int i = 0; i < fieldOffsets.length; i += 2) {
            expect("offsetof(struct " + struct + ", " + fieldOffsets[i] + ")", ((Number) fieldOffsets[i + 1]).longValue());
        }
    }

    static {
        // grant_table.h
        struct("grant_entry_v1", GrantEntryV1.SIZE, "flags", GrantEntryV1.FLAGS, "domid", GrantEntryV1.DOMID,
                "frame", GrantEntryV1.FRAME);
        expect("sizeof(((struct grant_entry_v1 *)0)->flags)", 2);
        expect("sizeof(((struct grant_entry_v1 *)0)->domid)", 2);
        expect("sizeof(((struct grant_entry_v1 *)0)->frame)", 4);
        expect("4096 / sizeof(struct grant_entry_v1)", GrantEntryV1.PER_FRAME);
        expect("GTF_invalid", Gtf.INVALID);
        expect("GTF_permit_access", Gtf.PERMIT_ACCESS);
        expect("GTF_accept_transfer", Gtf.ACCEPT_TRANSFER);
        expect("GTF_transitive", Gtf.TRANSITIVE);
        expect("GTF_type_mask", Gtf.TYPE_MASK);
        expect("GTF_readonly", Gtf.READONLY);
        expect("GTF_reading", Gtf.READING);
        expect("GTF_writing", Gtf.WRITING);
        expect("GTF_PWT", Gtf.PWT);
        expect("GTF_PCD", Gtf.PCD);
        expect("GTF_PAT", Gtf.PAT);
        expect("GTF_sub_page", Gtf.SUB_PAGE);
        expect("GNTST_okay", GntSt.OKAY);
        expect("GNTST_general_error", GntSt.GENERAL_ERROR);
        expect("GNTST_bad_domain", GntSt.BAD_DOMAIN);
        expect("GNTST_bad_gntref", GntSt.BAD_GNTREF);
        expect("GNTST_bad_handle", GntSt.BAD_HANDLE);
        expect("GNTST_bad_virt_addr", GntSt.BAD_VIRT_ADDR);
        expect("GNTST_bad_dev_addr", GntSt.BAD_DEV_ADDR);
        expect("GNTST_no_device_space", GntSt.NO_DEVICE_SPACE);
        expect("GNTST_permission_denied", GntSt.PERMISSION_DENIED);
        expect("GNTST_bad_page", GntSt.BAD_PAGE);
        expect("GNTST_bad_copy_arg", GntSt.BAD_COPY_ARG);
        expect("GNTST_address_too_big", GntSt.ADDRESS_TOO_BIG);
        expect("GNTST_eagain", GntSt.EAGAIN);
        expect("GNTST_no_space", GntSt.NO_SPACE);
        expect("GNTTAB_NR_RESERVED_ENTRIES", GrantTable.NR_RESERVED_ENTRIES);
        expect("GNTTAB_RESERVED_CONSOLE", GrantTable.RESERVED_CONSOLE);
        expect("GNTTAB_RESERVED_XENSTORE", GrantTable.RESERVED_XENSTORE);
        expect("GNTCOPY_source_gref", GrantCopy.SOURCE_GREF);
        expect("GNTCOPY_dest_gref", GrantCopy.DEST_GREF);

        // xen.h / arch-x86/xen.h: shared_info, vcpu_info, vcpu_time_info
        struct("shared_info", SharedInfo.SIZE, "vcpu_info", SharedInfo.VCPU_INFO, "evtchn_pending",
                SharedInfo.EVTCHN_PENDING, "evtchn_mask", SharedInfo.EVTCHN_MASK, "wc_version", SharedInfo.WC_VERSION,
                "wc_sec", SharedInfo.WC_SEC, "wc_nsec", SharedInfo.WC_NSEC, "wc_sec_hi", SharedInfo.WC_SEC_HI, "arch",
                SharedInfo.ARCH);
        expect("offsetof(struct shared_info, vcpu_info[1])", SharedInfo.vcpuInfo(1));
        expect("offsetof(struct shared_info, vcpu_info[31].time)", SharedInfo.vcpuTime(31));
        expect("sizeof(struct arch_shared_info)", SharedInfo.ARCH_SIZE);
        struct("vcpu_info", SharedInfo.VCPU_INFO_SIZE, "evtchn_upcall_pending", SharedInfo.VI_EVTCHN_UPCALL_PENDING,
                "evtchn_upcall_mask", SharedInfo.VI_EVTCHN_UPCALL_MASK, "evtchn_pending_sel",
                SharedInfo.VI_EVTCHN_PENDING_SEL, "arch", SharedInfo.VI_ARCH, "time", SharedInfo.VI_TIME);
        struct("vcpu_time_info", SharedInfo.VT_SIZE, "version", SharedInfo.VT_VERSION, "tsc_timestamp",
                SharedInfo.VT_TSC_TIMESTAMP, "system_time", SharedInfo.VT_SYSTEM_TIME, "tsc_to_system_mul",
                SharedInfo.VT_TSC_TO_SYSTEM_MUL, "tsc_shift", SharedInfo.VT_TSC_SHIFT, "flags", SharedInfo.VT_FLAGS);
        expect("XEN_LEGACY_MAX_VCPUS", SharedInfo.LEGACY_MAX_VCPUS);
        expect("sizeof(xen_ulong_t) * 8", SharedInfo.BITS_PER_EVTCHN_WORD);
        expect("EVTCHN_2L_NR_CHANNELS", SharedInfo.EVTCHN_2L_NR_CHANNELS);
        expect("XEN_PVCLOCK_TSC_STABLE_BIT", SharedInfo.PVCLOCK_TSC_STABLE_BIT);
        expect("XEN_PVCLOCK_GUEST_STOPPED", SharedInfo.PVCLOCK_GUEST_STOPPED);
        expect("DOMID_FIRST_RESERVED", DomId.DOMID_FIRST_RESERVED);
        expect("DOMID_SELF", DomId.DOMID_SELF);
        expect("DOMID_IO", DomId.DOMID_IO);
        expect("DOMID_XEN", DomId.DOMID_XEN);
        expect("DOMID_COW", DomId.DOMID_COW);
        expect("DOMID_INVALID", DomId.DOMID_INVALID);
        expect("DOMID_IDLE", DomId.DOMID_IDLE);
        expect("DOMID_MASK", DomId.DOMID_MASK);

        // VIRQs
        expect("VIRQ_TIMER", Virq.TIMER);
        expect("VIRQ_DEBUG", Virq.DEBUG);
        expect("VIRQ_CONSOLE", Virq.CONSOLE);
        expect("VIRQ_DOM_EXC", Virq.DOM_EXC);
        expect("VIRQ_TBUF", Virq.TBUF);
        expect("VIRQ_DEBUGGER", Virq.DEBUGGER);
        expect("VIRQ_XENOPROF", Virq.XENOPROF);
        expect("VIRQ_CON_RING", Virq.CON_RING);
        expect("VIRQ_PCPU_STATE", Virq.PCPU_STATE);
        expect("VIRQ_MEM_EVENT", Virq.MEM_EVENT);
        expect("VIRQ_ARGO", Virq.ARGO);
        expect("VIRQ_ENOMEM", Virq.ENOMEM);
        expect("VIRQ_XENPMU", Virq.XENPMU);
        expect("VIRQ_ARCH_0", Virq.ARCH_0);
        expect("VIRQ_ARCH_7", Virq.ARCH_7);
        expect("NR_VIRQS", Virq.NR_VIRQS);

        // event_channel.h
        struct("evtchn_fifo_control_block", EvtchnFifo.CONTROL_BLOCK_SIZE, "ready", EvtchnFifo.CB_READY, "head",
                EvtchnFifo.CB_HEAD);
        expect("offsetof(struct evtchn_fifo_control_block, head[15])", EvtchnFifo.head(15));
        expect("EVTCHN_FIFO_PENDING", EvtchnFifo.PENDING);
        expect("EVTCHN_FIFO_MASKED", EvtchnFifo.MASKED);
        expect("EVTCHN_FIFO_LINKED", EvtchnFifo.LINKED);
        expect("EVTCHN_FIFO_BUSY", EvtchnFifo.BUSY);
        expect("EVTCHN_FIFO_LINK_BITS", EvtchnFifo.LINK_BITS);
        expect("EVTCHN_FIFO_LINK_MASK", EvtchnFifo.LINK_MASK);
        expect("EVTCHN_FIFO_NR_CHANNELS", EvtchnFifo.NR_CHANNELS);
        expect("EVTCHN_FIFO_PRIORITY_MAX", EvtchnFifo.PRIORITY_MAX);
        expect("EVTCHN_FIFO_PRIORITY_DEFAULT", EvtchnFifo.PRIORITY_DEFAULT);
        expect("EVTCHN_FIFO_PRIORITY_MIN", EvtchnFifo.PRIORITY_MIN);
        expect("EVTCHN_FIFO_MAX_QUEUES", EvtchnFifo.MAX_QUEUES);
        expect("4096 / sizeof(event_word_t)", EvtchnFifo.WORDS_PER_PAGE);
        expect("EVTCHNSTAT_closed", EvtchnStatus.CLOSED);
        expect("EVTCHNSTAT_unbound", EvtchnStatus.UNBOUND);
        expect("EVTCHNSTAT_interdomain", EvtchnStatus.INTERDOMAIN);
        expect("EVTCHNSTAT_pirq", EvtchnStatus.PIRQ);
        expect("EVTCHNSTAT_virq", EvtchnStatus.VIRQ);
        expect("EVTCHNSTAT_ipi", EvtchnStatus.IPI);

        // errno.h
        expect("XEN_EPERM", Errno.EPERM);
        expect("XEN_ENOENT", Errno.ENOENT);
        expect("XEN_ESRCH", Errno.ESRCH);
        expect("XEN_EAGAIN", Errno.EAGAIN);
        expect("XEN_ENOMEM", Errno.ENOMEM);
        expect("XEN_EFAULT", Errno.EFAULT);
        expect("XEN_EBUSY", Errno.EBUSY);
        expect("XEN_EEXIST", Errno.EEXIST);
        expect("XEN_EINVAL", Errno.EINVAL);
        expect("XEN_ENOSPC", Errno.ENOSPC);
        expect("XEN_ENOSYS", Errno.ENOSYS);
        expect("XEN_EOPNOTSUPP", Errno.EOPNOTSUPP);

        // hvm/params.h
        for (HvmParam p : HvmParam.values()) {
            expect("HVM_PARAM_" + p.name(), p.index());
        }
        expect("HVM_NR_PARAMS", HvmParam.HVM_NR_PARAMS);
        expect("HVM_PARAM_CALLBACK_TYPE_GSI", HvmParam.CALLBACK_TYPE_GSI);
        expect("HVM_PARAM_CALLBACK_TYPE_PCI_INTX", HvmParam.CALLBACK_TYPE_PCI_INTX);
        expect("HVM_PARAM_CALLBACK_TYPE_VECTOR", HvmParam.CALLBACK_TYPE_VECTOR);
        expect("HVM_PARAM_CALLBACK_IRQ_TYPE_MASK", 0xFFL << HvmParam.CALLBACK_IRQ_TYPE_SHIFT);
    }

    private static Map<String, Long> actual;

    @BeforeAll
    static void compile() throws Exception {
        PlatformCGolden.assumeToolchain("xen.h", "grant_table.h", "event_channel.h", "sched.h", "errno.h",
                "hvm/params.h", "arch-x86/xen.h");
        StringBuilder c = new StringBuilder("""
                #define __XEN_INTERFACE_VERSION__ __XEN_LATEST_INTERFACE_VERSION__
                #include <stddef.h>
                #include <stdio.h>
                #include <stdint.h>
                #include <xen/xen.h>
                #include <xen/grant_table.h>
                #include <xen/event_channel.h>
                #include <xen/sched.h>
                #include <xen/hvm/params.h>
                #include <xen/errno.h>
                int main(void) {
                """);
        List<String> keys = new ArrayList<>(EXPECTED.keySet());
        for (int i = 0; i < keys.size(); i++) {
            c.append("  printf(\"k").append(i).append(" %lld\\n\", (long long)(").append(keys.get(i)).append("));\n");
        }
        c.append("  return 0;\n}\n");
        Map<String, Long> byIndex = PlatformCGolden.run("xen_platform_abi", c.toString());
        actual = new LinkedHashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            actual.put(keys.get(i), byIndex.get("k" + i));
        }
    }

    @Test
    void everyLayoutAndConstantMatchesTheHeaders() {
        List<String> mismatches = new ArrayList<>();
        for (Map.Entry<String, Long> e : EXPECTED.entrySet()) {
            Long c = actual.get(e.getKey());
            if (!e.getValue().equals(c)) {
                mismatches.add(e.getKey() + ": C says " + c + ", Java says " + e.getValue());
            }
        }
        assertThat(mismatches).as("layouts/constants differing from /usr/include/xen").isEmpty();
        assertThat(actual).hasSize(EXPECTED.size());
    }

    @Test
    void hvmParamsTheIssueNamesHaveTheirHeaderNumbers() {
        assertThat(actual.get("HVM_PARAM_CALLBACK_IRQ")).isZero();
        assertThat(actual.get("HVM_PARAM_STORE_PFN")).isEqualTo(1);
        assertThat(actual.get("HVM_PARAM_STORE_EVTCHN")).isEqualTo(2);
        assertThat(actual.get("HVM_PARAM_CONSOLE_PFN")).isEqualTo(17);
        assertThat(actual.get("HVM_PARAM_CONSOLE_EVTCHN")).isEqualTo(18);
    }
}
