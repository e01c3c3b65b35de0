/**
 * The simulated Xen platform as the rest of the project sees it: a {@link org.xenpv.core.platform.Platform}
 * on a simulation kernel holds {@link org.xenpv.core.platform.Domain}s (dom0 and guests), each with
 * its memory, shared-info page, HVM parameters, grant table, grant hypercalls and event channels,
 * and can report what is left over at the end of a test ({@link org.xenpv.core.platform.LeakReport}).
 *
 * <p>Modelled on the in-process Xen emulation QEMU does for KVM guests ({@code hw/i386/kvm/xen_*.c}):
 * the hypervisor's data structures live in the same process as the drivers that use them, and every
 * action is recorded in the kernel's event log.
 */
package org.xenpv.core.platform;
