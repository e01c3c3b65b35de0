package org.xenpv.xenbus.sharedinfo;

/**
 * One consistent read of the time fields of {@code shared_info} (x86_64 layout, {@code xen.h}): the
 * wallclock and vCPU 0's {@code vcpu_time_info}, all from between the same two even values of
 * {@code wc_version} and {@code time.version}, plus the TSC read after them
 * ({@code [bus shared_info.c SharedInfoGetTime]}).
 *
 * @param wcVersion      {@code wc_version} (even)
 * @param timeVersion    {@code vcpu_info[0].time.version} (even)
 * @param wcSec          {@code wc_sec}, with {@code wc_sec_hi} in the upper half if it was read
 * @param wcNsec         {@code wc_nsec} (u32)
 * @param systemTime     {@code system_time}, ns since boot or resume (u64)
 * @param tscTimestamp   {@code tsc_timestamp} (u64)
 * @param tscToSystemMul {@code tsc_to_system_mul} (u32, a 32.32 fixed-point factor)
 * @param tscShift       {@code tsc_shift} (s8)
 * @param tsc            the guest's {@code rdtsc} after the fields were read
 * @param retries        times the sequence lock made the reader start again
 */
public record TimeReading(int wcVersion, int timeVersion, long wcSec, long wcNsec, long systemTime, long tscTimestamp,
                          long tscToSystemMul, int tscShift, long tsc, int retries) {
}
