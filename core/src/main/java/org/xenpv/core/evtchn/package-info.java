/**
 * Event channels as Xen implements them ({@code event_channel.h}, {@code xen/common/event_channel.c},
 * {@code event_2l.c}, {@code event_fifo.c}): per-domain port tables, the {@code EVTCHNOP_*}
 * operations with Xen's error numbers, the 2-level ABI (bitmaps in the shared-info page) and the FIFO
 * ABI (event words and control blocks in guest pages), upcalls to the guest's interrupt actor and
 * {@code SCHEDOP_poll}.
 *
 * <p>Concurrency follows Xen's locking: a per-domain event lock serialises binding changes, a
 * per-channel lock makes {@code send} and {@code close} exclusive (never a global lock on the send
 * path), FIFO queues have their own locks, and every pending/mask bit is changed with an atomic
 * read-modify-write on the shared page. The locks are held only for a few memory operations and
 * never across a kernel wait, so they cannot block the deterministic kernel's baton.
 */
package org.xenpv.core.evtchn;
