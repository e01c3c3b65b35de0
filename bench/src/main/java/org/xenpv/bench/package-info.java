/**
 * JMH benchmarks of the platform's hot paths: shared-ring round trips per layout ({@code io/ring.h} with each
 * header's codecs, and the in-place blkif path {@code xenpv bench ring} uses), the grant-table life cycle
 * ({@code permit}/{@code revoke}, {@code GNTTABOP_map_grant_ref}/{@code unmap_grant_ref}) and event-channel
 * notification ({@code EVTCHNOP_send}, test-and-clear, upcall dispatch, {@code SCHEDOP_poll} on a pending port)
 * on the 2-level and FIFO ABIs, and an event-channel ping-pong between two blocked actors on platform and on
 * virtual threads (what a block/wake pair costs).
 *
 * <p>Run {@code java -jar bench/target/benchmarks.jar} (defaults: one fork, short iterations), e.g.
 * {@code java -jar bench/target/benchmarks.jar Evtchn -p abi=fifo}. Each benchmark returns or blackholes what it
 * computes; {@code BenchmarksTest} runs every method once, directly, in {@code mvn verify}.
 */
package org.xenpv.bench;
