/**
 * Grant tables, version 1 ({@code grant_table.h}, {@code xen/common/grant_table.c}): the
 * {@code grant_entry_v1} frames a domain fills to share its pages ({@link GrantTable}, the guest
 * side) and the {@code GNTTABOP_*} hypercalls another domain makes to map, unmap and copy them
 * ({@link GrantOps}, the foreign side), with Xen's {@code GNTST_*} status for every failure.
 *
 * <p>The entry header ({@code flags} and {@code domid}, one 32-bit word) is only ever changed with
 * compare-and-set by the hypervisor side, as Xen's {@code _set_status_v1} does (at most five tries
 * against a guest that keeps rewriting it), and the guest side's revoke is a compare-and-set that
 * fails while {@code GTF_reading}/{@code GTF_writing} are set. So revoking an entry that is in use
 * is refused rather than corrupting a mapping, exactly the race Linux and Windows guard against.
 */
package org.xenpv.core.grant;
