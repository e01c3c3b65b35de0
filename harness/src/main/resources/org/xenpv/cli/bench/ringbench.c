/*
 * xenpv bench ring: the C reference. Same workload and notification model as the Java side
 * (BenchFrontend/BenchBackend): a frontend thread keeps a one-page blkif ring full of one-segment
 * READ requests, a backend thread answers each with BLKIF_RSP_OKAY. Built from Xen's own io/ring.h
 * and io/blkif.h macros.
 *
 *   spin:   both sides busy-poll the shared indices (RING_FINAL_CHECK_* then re-poll); no events.
 *   notify: after RING_PUSH_*_AND_CHECK_NOTIFY says so, the producer "sends an event": it sets the
 *           peer port's pending flag and wakes the peer if the peer sleeps; a consumer with no work
 *           takes its pending flag, or yields its CPU up to YIELDS times re-checking it (SCHEDOP_yield),
 *           then blocks until the port is pending (pending flag + futex wake, SCHEDOP_poll style).
 *           YIELDS is the same number the Java side uses (the command passes it to both).
 *
 * Each side does the checks the Java side does: the frontend validates rsp_prod
 * (RING_RESPONSE_PROD_OVERFLOW) and every response (id in order, operation READ, status OKAY); the
 * backend validates req_prod (RING_REQUEST_PROD_OVERFLOW), stops at RING_REQUEST_CONS_OVERFLOW, copies
 * each request out once (RING_COPY_REQUEST) and answers a 1..BLKIF_MAX_SEGMENTS_PER_REQUEST-segment
 * READ with OKAY, anything else with BLKIF_RSP_ERROR.
 *
 * Layout: each port sits on its own cache line, as on the Java side each domain's pending bit lives
 * in its own shared-info page; each side's private ring state is on its own thread's stack, as the
 * Java side builds its FrontRing/BackRing in its own actor thread.
 *
 * Usage: ringbench spin|notify COUNT YIELDS
 * Output: one line "mode=<m> count=<n> yields=<y> seconds=<s> rtps=<round trips per second>
 *         notifies=<n> waits=<n>" (waits: times a side went to block, both sides).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
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
    _Atomic uint64_t sends;     /* events sent to this port */
    uint64_t waits;             /* times the owner went to block (only the owner writes it) */
} __attribute__((aligned(64)));

static struct port front_port, back_port;
static int spin_mode;
static long count;
static int yields;
static blkif_sring_t *sring;

static void evtchn_send(struct port *p)
{
    atomic_fetch_add_explicit(&p->sends, 1, memory_order_relaxed);
    if (atomic_exchange(&p->pending, 1) == 0 && atomic_load(&p->sleeping))
        syscall(SYS_futex, &p->pending, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

/* Takes the port's pending event; yields up to `yields` times re-checking, then blocks until one comes. */
static void evtchn_wait(struct port *p)
{
    int yielded = 0;
    for (;;) {
        if (atomic_exchange(&p->pending, 0))
            return;
        if (yielded < yields) {
            yielded++;
            sched_yield();
            continue;
        }
        p->waits++;
        atomic_store(&p->sleeping, 1);
        if (atomic_load(&p->pending) == 0)
            syscall(SYS_futex, &p->pending, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
        atomic_store(&p->sleeping, 0);
    }
}

static void fail(const char *what, unsigned long long a, unsigned long long b)
{
    fprintf(stderr, "ringbench: %s %llu (expected/limit %llu)\n", what, a, b);
    exit(1);
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
            if (RING_RESPONSE_PROD_OVERFLOW(&front, rp))
                fail("illegal rsp_prod", rp, front.rsp_cons);
            while (front.rsp_cons != rp) {
                blkif_response_t rsp;
                RING_COPY_RESPONSE(&front, front.rsp_cons, &rsp);
                if (rsp.id != (uint64_t)done || rsp.operation != BLKIF_OP_READ || rsp.status != BLKIF_RSP_OKAY)
                    fail("bad response id", rsp.id, done);
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
        if (RING_REQUEST_PROD_OVERFLOW(&back, rp))
            fail("illegal req_prod", rp, back.rsp_prod_pvt);
        while (back.req_cons != rp && !RING_REQUEST_CONS_OVERFLOW(&back, back.req_cons)) {
            blkif_request_t req;
            blkif_response_t *rsp;
            RING_COPY_REQUEST(&back, back.req_cons, &req);
            back.req_cons++;
            rsp = RING_GET_RESPONSE(&back, back.rsp_prod_pvt);
            rsp->id = req.id;
            rsp->operation = req.operation;
            rsp->status = req.operation == BLKIF_OP_READ && req.nr_segments >= 1
                    && req.nr_segments <= BLKIF_MAX_SEGMENTS_PER_REQUEST ? BLKIF_RSP_OKAY : BLKIF_RSP_ERROR;
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
    char *end;
    if (argc != 4 || (strcmp(argv[1], "spin") && strcmp(argv[1], "notify"))) {
        fprintf(stderr, "usage: ringbench spin|notify COUNT YIELDS\n");
        return 2;
    }
    spin_mode = !strcmp(argv[1], "spin");
    count = strtol(argv[2], &end, 10);
    if (*end || count < 1) {
        fprintf(stderr, "ringbench: COUNT %s: not a positive number\n", argv[2]);
        return 2;
    }
    yields = (int)strtol(argv[3], &end, 10);
    if (*end || yields < 0) {
        fprintf(stderr, "ringbench: YIELDS %s: not a number >= 0\n", argv[3]);
        return 2;
    }
    if (posix_memalign((void **)&sring, 4096, 4096))
        return 3;
    memset(sring, 0, 4096);
    SHARED_RING_INIT(sring);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pthread_create(&b, NULL, backend, NULL);
    pthread_create(&f, NULL, frontend, NULL);
    pthread_join(f, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    pthread_join(b, NULL);
    secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("mode=%s count=%ld yields=%d seconds=%.6f rtps=%.0f notifies=%llu waits=%llu\n", argv[1], count, yields,
           secs, count / secs,
           (unsigned long long)(atomic_load(&front_port.sends) + atomic_load(&back_port.sends)),
           (unsigned long long)(front_port.waits + back_port.waits));
    return 0;
}
