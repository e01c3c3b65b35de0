/**
 * The guest-ring transport of the simulated xenstored: {@link org.xenpv.xenstore.ring.Xenstored} runs the
 * cxenstored 4.17 engine ({@code org.xenpv.xenstore.daemon}) as dom0's {@code d0/xenstored} kernel actor
 * and serves each introduced guest over its {@code struct xenstore_domain_interface} page
 * ({@code xen/io/xs_wire.h}, docs/misc/xenstore-ring.txt; xen-pv-protocols.md §1.10 and §3.5), mapped
 * through the platform's grant table and signalled through its event channels.
 */
package org.xenpv.xenstore.ring;
