/*
 * xenpv bench ring: the C reference. Same workload and notification model as the Java side:
 * a frontend thread keeps a one-page blkif ring full of READ requests, a backend thread answers
 * each with BLKIF_RSP_OKAY. Built from Xen's own io/ring.h and io/blkif.h macros.
 *
 *   spin:   both sides busy-poll the shared indices (RING_FINAL_CHECK_* then re-poll).
 *   notify: after RING_PUSH_*_AND_CHECK_NOTIFY says so, the producer "sends an event": it sets the
 *           peer port's pending flag and wakes the peer if the peer sleeps; a consumer with no work
 *           blocks until its port is pending (pending flag + futex wake, SCHEDOP_poll style).
 *
 * Output: one line "mode=<m> count=<n> seconds=<s> rtps=<round trips per second> notifies=<n> waits=<n>"
 * (waits: times a side found its port not pending and went to block, both sides).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* ring.h defines xen_mb()/xen_rmb()/xen_wmb() as mb()/rmb()/wmb(), which the includer supplies. */
#define mb()  __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#include <xen/io/ring.h>
#include <xen/io/blkif.h>

struct port {
    _Atomic uint32_t pending;   /* futex word: 1 = an event is pending */
    _Atomic uint32_t sleeping;  /* the owner is (about to be) blocked in futex_wait */
    _Atomic uint64_t sends;
    _Atomic uint64_t waits;     /* times the owner found nothing pending and went to block */
};

static struct port front_port, back_port;
static int spin_mode;
static long count;
static blkif_sring_t *sring;

static void evtchn_send(struct port *p)
{
    atomic_fetch_add_explicit(&p->sends, 1, memory_order_relaxed);
    if (atomic_exchange(&p->pending, 1) == 0 && atomic_load(&p->sleeping))
        syscall(SYS_futex, &p->pending, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

/* Blocks until the port is pending, then clears it. */
static void evtchn_wait(struct port *p)
{
    for (;;) {
        if (atomic_exchange(&p->pending, 0))
            return;
        atomic_fetch_add_explicit(&p->waits, 1, memory_order_relaxed);
        atomic_store(&p->sleeping, 1);
        if (atomic_load(&p->pending) == 0)
            syscall(SYS_futex, &p->pending, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
        atomic_store(&p->sleeping, 0);
    }
}

static void *frontend(void *arg)
{
    blkif_front_ring_t front;
    long issued = 0, done = 0;
    (void)arg;
    FRONT_RING_INIT(&front, sring, 4096);
    while (done < count) {
        int notify, more;
        while (!RING_FULL(&front) && issued < count) {
            blkif_request_t *req = RING_GET_REQUEST(&front, front.req_prod_pvt);
            req->operation = BLKIF_OP_READ;
            req->nr_segments = 1;
            req->handle = 0;
            req->id = (uint64_t)issued;
            req->sector_number = (blkif_sector_t)issued * 8;
            req->seg[0].gref = 8;
            req->seg[0].first_sect = 0;
            req->seg[0].last_sect = 7;
            front.req_prod_pvt++;
            issued++;
        }
        RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&front, notify);
        if (notify && !spin_mode)
            evtchn_send(&back_port);
        for (;;) {
            RING_IDX rp = front.sring->rsp_prod;
            xen_rmb();
            while (front.rsp_cons != rp) {
                blkif_response_t rsp = *RING_GET_RESPONSE(&front, front.rsp_cons);
                if (rsp.status != BLKIF_RSP_OKAY || rsp.operation != BLKIF_OP_READ) {
                    fprintf(stderr, "ringbench: bad response id %llu status %d\n",
                            (unsigned long long)rsp.id, rsp.status);
                    exit(1);
                }
                front.rsp_cons++;
                done++;
            }
            RING_FINAL_CHECK_FOR_RESPONSES(&front, more);
            if (more)
                continue;
            if (done >= count || (!RING_FULL(&front) && issued < count))
                break;
            if (!spin_mode)
                evtchn_wait(&front_port);
        }
    }
    return NULL;
}

static void *backend(void *arg)
{
    blkif_back_ring_t back;
    long answered = 0;
    (void)arg;
    BACK_RING_INIT(&back, sring, 4096);
    while (answered < count) {
        int more, notify;
        RING_IDX rp = back.sring->req_prod;
        xen_rmb();
        while (back.req_cons != rp) {
            blkif_request_t req;
            blkif_response_t *rsp;
            RING_COPY_REQUEST(&back, back.req_cons, &req);
            back.req_cons++;
            rsp = RING_GET_RESPONSE(&back, back.rsp_prod_pvt);
            rsp->id = req.id;
            rsp->operation = req.operation;
            rsp->status = BLKIF_RSP_OKAY;
            back.rsp_prod_pvt++;
            answered++;
        }
        RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&back, notify);
        if (notify && !spin_mode)
            evtchn_send(&front_port);
        RING_FINAL_CHECK_FOR_REQUESTS(&back, more);
        if (!more && answered < count && !spin_mode)
            evtchn_wait(&back_port);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    pthread_t f, b;
    struct timespec t0, t1;
    double secs;
    if (argc != 3 || (strcmp(argv[1], "spin") && strcmp(argv[1], "notify"))) {
        fprintf(stderr, "usage: ringbench spin|notify COUNT\n");
        return 2;
    }
    spin_mode = !strcmp(argv[1], "spin");
    count = atol(argv[2]);
    if (posix_memalign((void **)&sring, 4096, 4096))
        return 3;
    memset(sring, 0, 4096);
    SHARED_RING_INIT(sring);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pthread_create(&b, NULL, backend, NULL);
    pthread_create(&f, NULL, frontend, NULL);
    pthread_join(f, NULL);
    pthread_join(b, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("mode=%s count=%ld seconds=%.6f rtps=%.0f notifies=%llu waits=%llu\n", argv[1], count, secs, count / secs,
           (unsigned long long)(atomic_load(&front_port.sends) + atomic_load(&back_port.sends)),
           (unsigned long long)(atomic_load(&front_port.waits) + atomic_load(&back_port.waits)));
    return 0;
}
