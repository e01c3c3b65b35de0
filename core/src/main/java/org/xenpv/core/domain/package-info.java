/**
 * A domain's own resources as the hypervisor keeps them: its id ({@code domid_t}), guest physical
 * memory (4 KiB frames addressed by gfn), the shared-info page ({@code struct shared_info},
 * {@code xen.h}) and HVM parameters ({@code hvm/params.h}).
 *
 * <p>This is the bottom layer of the simulated platform: grant tables ({@code org.xenpv.core.grant})
 * and event channels ({@code org.xenpv.core.evtchn}) build on it, and {@code org.xenpv.core.platform}
 * ties everything into {@code Domain}s.
 */
package org.xenpv.core.domain;
