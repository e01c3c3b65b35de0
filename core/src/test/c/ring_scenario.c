/*
 * ring_scenario.c - golden producer/consumer run on a shared ring, with the real io/ring.h macros.
 *
 *   ring_scenario make  LAYOUT ORDER START OUT   builds the page(s), writes them to OUT, prints a transcript
 *   ring_scenario check LAYOUT ORDER START IN    re-runs the scenario privately, then reads IN (a page built
 *                                                by the Java ring layer) with the macros and checks it
 *
 * LAYOUT: netif-tx | netif-rx | netif-ctrl | blkif | blkif-x86_32. "blkif" is the compiler's own ABI (x86_64
 * hosted, x86_32 when built with -m32); "blkif-x86_32" in a 64-bit build uses blkif_x86_32.h. ORDER is the
 * ring-page-order (blkif: 0..4, others 0). START is the first ring index (u32; near 2^32 to test wrap).
 *
 * The scenario: the page is filled with a background pattern (so stray writes to padding show), then
 * SHARED_RING_INIT, indices moved to START, FRONT/BACK_RING_ATTACH at START; the front queues RING_SIZE-2
 * requests and pushes with notify check; the back final-checks, copies out (RING_COPY_REQUEST) and checks
 * half of them, answers them and pushes; consumes the rest, answers all but one, final-checks and pushes;
 * the front copies out responses in two batches around RING_FINAL_CHECK_FOR_RESPONSES; queues 1 + 3 more
 * requests (two pushes: the first reaches req_event exactly and notifies, the second starts at it and does not); the back answers the outstanding request. Field values
 * come from gv(k, field) (golden.h) of the entry number k = index - START. Every notify decision, final
 * check and counter is printed as "label key=value ..." lines that the Java replay must reproduce.
 */
#include "golden.h"
#include <xen/io/netif.h>
#include <xen/io/blkif.h>
#include "blkif_x86_32.h"

#define MAX_ORDER 4
#define MAX_BYTES (4096u << MAX_ORDER)

static uint8_t page_buf[MAX_BYTES] __attribute__((aligned(4096)));
static uint8_t scratch_buf[MAX_BYTES] __attribute__((aligned(4096)));

/* ---- transcript ----------------------------------------------------------------------------------- */

static int quiet;

static void tl(const char *label) { if (!quiet) g_puts(label); }
static void tk(const char *key, uint32_t v)
{
    if (quiet) return;
    g_puts(" "); g_puts(key); g_puts("="); g_putu(v);
}
static void te(void) { if (!quiet) g_nl(); }

/* Field check on a local copy: compares after converting the expected value to the field's own type. */
#define CK(what, copy, field, want, idx) \
    ((copy)->field == (__typeof__((copy)->field))(want) ? 0 \
     : g_fail3(what, #field, (idx), (uint64_t)(copy)->field, (uint64_t)(__typeof__((copy)->field))(want)))

/* ---- netif ---------------------------------------------------------------------------------------- */

static int is_extra(uint32_t k) { return k % 7 == 3; }

static void fill_extra(struct netif_extra_info *e, uint32_t k)
{
    int i;
    e->flags = (uint8_t)(gv(k, 9) & 0xfe);
    switch ((k / 7) % 5) {
    case 0:
        e->type = XEN_NETIF_EXTRA_TYPE_GSO;
        e->u.gso.size = (uint16_t)gv(k, 10);
        e->u.gso.type = (uint8_t)gv(k, 11);
        e->u.gso.features = (uint16_t)gv(k, 12);
        break;
    case 1:
    case 2:
        e->type = (k / 7) % 5 == 1 ? XEN_NETIF_EXTRA_TYPE_MCAST_ADD : XEN_NETIF_EXTRA_TYPE_MCAST_DEL;
        for (i = 0; i < 6; i++) e->u.mcast.addr[i] = (uint8_t)gv(k, 20 + i);
        break;
    case 3:
        e->type = XEN_NETIF_EXTRA_TYPE_HASH;
        e->u.hash.type = (uint8_t)gv(k, 30);
        e->u.hash.algorithm = (uint8_t)gv(k, 31);
        for (i = 0; i < 4; i++) e->u.hash.value[i] = (uint8_t)(gv(k, 32) >> (8 * i));
        break;
    default:
        e->type = 0x17; /* no such type: the Java side keeps the raw union */
        for (i = 0; i < 3; i++) e->u.pad[i] = (uint16_t)gv(k, 40 + i);
        break;
    }
}

static int check_extra(const void *copy, uint32_t k, uint32_t idx)
{
    struct netif_extra_info e, *c = &e;
    int fails = 0, i;
    memcpy(&e, copy, sizeof(e));
    fails += CK("extra", c, flags, gv(k, 9) & 0xfe, idx);
    switch ((k / 7) % 5) {
    case 0:
        fails += CK("extra", c, type, XEN_NETIF_EXTRA_TYPE_GSO, idx);
        fails += CK("extra", c, u.gso.size, gv(k, 10), idx);
        fails += CK("extra", c, u.gso.type, gv(k, 11), idx);
        fails += CK("extra", c, u.gso.features, gv(k, 12), idx);
        break;
    case 1:
    case 2:
        fails += CK("extra", c, type, (k / 7) % 5 == 1 ? XEN_NETIF_EXTRA_TYPE_MCAST_ADD : XEN_NETIF_EXTRA_TYPE_MCAST_DEL, idx);
        for (i = 0; i < 6; i++) fails += CK("extra", c, u.mcast.addr[i], gv(k, 20 + i), idx);
        break;
    case 3:
        fails += CK("extra", c, type, XEN_NETIF_EXTRA_TYPE_HASH, idx);
        fails += CK("extra", c, u.hash.type, gv(k, 30), idx);
        fails += CK("extra", c, u.hash.algorithm, gv(k, 31), idx);
        for (i = 0; i < 4; i++) fails += CK("extra", c, u.hash.value[i], gv(k, 32) >> (8 * i), idx);
        break;
    default:
        fails += CK("extra", c, type, 0x17, idx);
        for (i = 0; i < 3; i++) fails += CK("extra", c, u.pad[i], gv(k, 40 + i), idx);
        break;
    }
    return fails;
}

static void tx_fill_req(void *slot, uint32_t k)
{
    struct netif_tx_request *r = slot;
    if (is_extra(k)) { fill_extra(slot, k); return; }
    r->gref = gv(k, 1);
    r->offset = (uint16_t)gv(k, 2);
    r->flags = (uint16_t)((gv(k, 3) & (NETTXF_csum_blank | NETTXF_data_validated | NETTXF_more_data))
                          | (is_extra(k + 1) ? NETTXF_extra_info : 0));
    r->id = (uint16_t)gv(k, 4);
    r->size = (uint16_t)gv(k, 5);
}

static int tx_check_req(const void *copy, uint32_t k, uint32_t idx)
{
    struct netif_tx_request r, *c = &r;
    int fails = 0;
    if (is_extra(k)) return check_extra(copy, k, idx);
    memcpy(&r, copy, sizeof(r));
    fails += CK("netif_tx_request", c, gref, gv(k, 1), idx);
    fails += CK("netif_tx_request", c, offset, gv(k, 2), idx);
    fails += CK("netif_tx_request", c, flags, (gv(k, 3) & 7) | (is_extra(k + 1) ? NETTXF_extra_info : 0), idx);
    fails += CK("netif_tx_request", c, id, gv(k, 4), idx);
    fails += CK("netif_tx_request", c, size, gv(k, 5), idx);
    return fails;
}

static int16_t netif_status(uint32_t k) { return (int16_t)((int)(gv(k, 61) % 3) - 2); }

static void tx_fill_rsp(void *slot, uint32_t k)
{
    struct netif_tx_response *p = slot;
    p->id = (uint16_t)gv(k, 60);
    p->status = is_extra(k) ? NETIF_RSP_NULL : netif_status(k);
}

static int tx_check_rsp(const void *copy, uint32_t k, uint32_t idx)
{
    struct netif_tx_response p, *c = &p;
    int fails = 0;
    memcpy(&p, copy, sizeof(p));
    fails += CK("netif_tx_response", c, id, gv(k, 60), idx);
    fails += CK("netif_tx_response", c, status, is_extra(k) ? NETIF_RSP_NULL : netif_status(k), idx);
    return fails;
}

static void rx_fill_req(void *slot, uint32_t k)
{
    struct netif_rx_request *r = slot;
    r->id = (uint16_t)gv(k, 1);
    r->gref = gv(k, 2);
}

static int rx_check_req(const void *copy, uint32_t k, uint32_t idx)
{
    struct netif_rx_request r, *c = &r;
    int fails = 0;
    memcpy(&r, copy, sizeof(r));
    fails += CK("netif_rx_request", c, id, gv(k, 1), idx);
    fails += CK("netif_rx_request", c, gref, gv(k, 2), idx);
    return fails;
}

static void rx_fill_rsp(void *slot, uint32_t k)
{
    struct netif_rx_response *p = slot;
    if (is_extra(k)) { fill_extra(slot, k); return; }
    p->id = (uint16_t)gv(k, 60);
    p->offset = (uint16_t)(gv(k, 61) & 0xfff);
    p->flags = (uint16_t)((gv(k, 62) & (NETRXF_data_validated | NETRXF_csum_blank | NETRXF_more_data))
                          | (is_extra(k + 1) ? NETRXF_extra_info : 0));
    p->status = (int16_t)gv(k, 63);
}

static int rx_check_rsp(const void *copy, uint32_t k, uint32_t idx)
{
    struct netif_rx_response p, *c = &p;
    int fails = 0;
    if (is_extra(k)) return check_extra(copy, k, idx);
    memcpy(&p, copy, sizeof(p));
    fails += CK("netif_rx_response", c, id, gv(k, 60), idx);
    fails += CK("netif_rx_response", c, offset, gv(k, 61) & 0xfff, idx);
    fails += CK("netif_rx_response", c, flags, (gv(k, 62) & 7) | (is_extra(k + 1) ? NETRXF_extra_info : 0), idx);
    fails += CK("netif_rx_response", c, status, (int16_t)gv(k, 63), idx);
    return fails;
}

static void ctrl_fill_req(void *slot, uint32_t k)
{
    struct xen_netif_ctrl_request *r = slot;
    int i;
    r->id = (uint16_t)gv(k, 1);
    r->type = (uint16_t)(gv(k, 2) % 11);
    for (i = 0; i < 3; i++) r->data[i] = gv(k, 3 + i);
}

static int ctrl_check_req(const void *copy, uint32_t k, uint32_t idx)
{
    struct xen_netif_ctrl_request r, *c = &r;
    int fails = 0, i;
    memcpy(&r, copy, sizeof(r));
    fails += CK("xen_netif_ctrl_request", c, id, gv(k, 1), idx);
    fails += CK("xen_netif_ctrl_request", c, type, gv(k, 2) % 11, idx);
    for (i = 0; i < 3; i++) fails += CK("xen_netif_ctrl_request", c, data[i], gv(k, 3 + i), idx);
    return fails;
}

static void ctrl_fill_rsp(void *slot, uint32_t k)
{
    struct xen_netif_ctrl_response *p = slot;
    p->id = (uint16_t)gv(k, 60);
    p->type = (uint16_t)(gv(k, 61) % 11);
    p->status = gv(k, 62) % 4;
    p->data = gv(k, 63);
}

static int ctrl_check_rsp(const void *copy, uint32_t k, uint32_t idx)
{
    struct xen_netif_ctrl_response p, *c = &p;
    int fails = 0;
    memcpy(&p, copy, sizeof(p));
    fails += CK("xen_netif_ctrl_response", c, id, gv(k, 60), idx);
    fails += CK("xen_netif_ctrl_response", c, type, gv(k, 61) % 11, idx);
    fails += CK("xen_netif_ctrl_response", c, status, gv(k, 62) % 4, idx);
    fails += CK("xen_netif_ctrl_response", c, data, gv(k, 63), idx);
    return fails;
}

/* ---- blkif (both ABIs, from one template) ---------------------------------------------------------- */

static uint8_t blk_op(uint32_t k)
{
    switch (k % 6) {
    case 0: return BLKIF_OP_READ;
    case 1: return BLKIF_OP_WRITE;
    case 2: return BLKIF_OP_DISCARD;
    case 3: return BLKIF_OP_INDIRECT;
    case 4: return (k / 6) % 2 ? BLKIF_OP_FLUSH_DISKCACHE : BLKIF_OP_WRITE_BARRIER;
    default: return BLKIF_OP_RESERVED_1;
    }
}

static uint8_t blk_nr_segments(uint32_t k)
{
    return blk_op(k) == BLKIF_OP_FLUSH_DISKCACHE ? 0 : (uint8_t)(k % 12);
}

static int16_t blk_status(uint32_t k) { return (int16_t)((int)(gv(k, 91) % 3) - 2); }

#define BLKIF_FUNCS(P, REQ, DISC, IND, RSP)                                                              \
static void P##_fill_req(void *slot, uint32_t k)                                                        \
{                                                                                                       \
    uint8_t op = blk_op(k);                                                                             \
    int i;                                                                                              \
    if (op == BLKIF_OP_DISCARD) {                                                                       \
        DISC *d = slot;                                                                                 \
        d->operation = op;                                                                              \
        d->flag = (uint8_t)(gv(k, 4) & BLKIF_DISCARD_SECURE);                                           \
        d->handle = (uint16_t)gv(k, 1);                                                                 \
        d->id = gv64(k, 2);                                                                             \
        d->sector_number = gv64(k, 3);                                                                  \
        d->nr_sectors = gv64(k, 5);                                                                     \
    } else if (op == BLKIF_OP_INDIRECT) {                                                               \
        IND *n = slot;                                                                                  \
        n->operation = op;                                                                              \
        n->indirect_op = (uint8_t)(gv(k, 6) & 1);                                                       \
        n->nr_segments = (uint16_t)gv(k, 7);                                                            \
        n->id = gv64(k, 2);                                                                             \
        n->sector_number = gv64(k, 3);                                                                  \
        n->handle = (uint16_t)gv(k, 1);                                                                 \
        for (i = 0; i < BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST; i++) n->indirect_grefs[i] = gv(k, 80 + i); \
    } else if (op == BLKIF_OP_RESERVED_1) {                                                             \
        REQ *r = slot;                                                                                  \
        r->operation = op;                                                                              \
        r->id = gv64(k, 2);                                                                             \
    } else {                                                                                            \
        REQ *r = slot;                                                                                  \
        r->operation = op;                                                                              \
        r->nr_segments = blk_nr_segments(k);                                                            \
        r->handle = (uint16_t)gv(k, 1);                                                                 \
        r->id = gv64(k, 2);                                                                             \
        r->sector_number = gv64(k, 3);                                                                  \
        for (i = 0; i < r->nr_segments; i++) {                                                          \
            r->seg[i].gref = gv(k, 20 + i);                                                             \
            r->seg[i].first_sect = (uint8_t)(gv(k, 40 + i) & 7);                                        \
            r->seg[i].last_sect = (uint8_t)gv(k, 60 + i);                                               \
        }                                                                                               \
    }                                                                                                   \
}                                                                                                       \
                                                                                                        \
static int P##_check_req(const void *copy, uint32_t k, uint32_t idx)                                    \
{                                                                                                       \
    uint8_t op = blk_op(k);                                                                             \
    int i, fails = 0;                                                                                   \
    if (op == BLKIF_OP_DISCARD) {                                                                       \
        DISC d, *c = &d;                                                                                \
        memcpy(&d, copy, sizeof(d));                                                                    \
        fails += CK(#DISC, c, operation, op, idx);                                                      \
        fails += CK(#DISC, c, flag, gv(k, 4) & BLKIF_DISCARD_SECURE, idx);                              \
        fails += CK(#DISC, c, handle, gv(k, 1), idx);                                                   \
        fails += CK(#DISC, c, id, gv64(k, 2), idx);                                                     \
        fails += CK(#DISC, c, sector_number, gv64(k, 3), idx);                                          \
        fails += CK(#DISC, c, nr_sectors, gv64(k, 5), idx);                                             \
    } else if (op == BLKIF_OP_INDIRECT) {                                                               \
        IND n, *c = &n;                                                                                 \
        memcpy(&n, copy, sizeof(n));                                                                    \
        fails += CK(#IND, c, operation, op, idx);                                                       \
        fails += CK(#IND, c, indirect_op, gv(k, 6) & 1, idx);                                           \
        fails += CK(#IND, c, nr_segments, gv(k, 7), idx);                                               \
        fails += CK(#IND, c, id, gv64(k, 2), idx);                                                      \
        fails += CK(#IND, c, sector_number, gv64(k, 3), idx);                                           \
        fails += CK(#IND, c, handle, gv(k, 1), idx);                                                    \
        for (i = 0; i < BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST; i++)                                      \
            fails += CK(#IND, c, indirect_grefs[i], gv(k, 80 + i), idx);                                \
    } else {                                                                                            \
        REQ r, *c = &r;                                                                                 \
        memcpy(&r, copy, sizeof(r));                                                                    \
        fails += CK(#REQ, c, operation, op, idx);                                                       \
        fails += CK(#REQ, c, id, gv64(k, 2), idx);                                                      \
        if (op != BLKIF_OP_RESERVED_1) {                                                                \
            fails += CK(#REQ, c, nr_segments, blk_nr_segments(k), idx);                                 \
            fails += CK(#REQ, c, handle, gv(k, 1), idx);                                                \
            fails += CK(#REQ, c, sector_number, gv64(k, 3), idx);                                       \
            for (i = 0; i < blk_nr_segments(k); i++) {                                                  \
                fails += CK(#REQ, c, seg[i].gref, gv(k, 20 + i), idx);                                  \
                fails += CK(#REQ, c, seg[i].first_sect, gv(k, 40 + i) & 7, idx);                        \
                fails += CK(#REQ, c, seg[i].last_sect, gv(k, 60 + i), idx);                             \
            }                                                                                           \
        }                                                                                               \
    }                                                                                                   \
    return fails;                                                                                       \
}                                                                                                       \
                                                                                                        \
static void P##_fill_rsp(void *slot, uint32_t k)                                                        \
{                                                                                                       \
    RSP *p = slot;                                                                                      \
    p->id = gv64(k, 90);                                                                                \
    p->operation = blk_op(k);                                                                           \
    p->status = blk_status(k);                                                                          \
}                                                                                                       \
                                                                                                        \
static int P##_check_rsp(const void *copy, uint32_t k, uint32_t idx)                                    \
{                                                                                                       \
    RSP p, *c = &p;                                                                                     \
    int fails = 0;                                                                                      \
    memcpy(&p, copy, sizeof(p));                                                                        \
    fails += CK(#RSP, c, id, gv64(k, 90), idx);                                                         \
    fails += CK(#RSP, c, operation, blk_op(k), idx);                                                    \
    fails += CK(#RSP, c, status, blk_status(k), idx);                                                   \
    return fails;                                                                                       \
}

BLKIF_FUNCS(blk, struct blkif_request, struct blkif_request_discard, struct blkif_request_indirect,
            struct blkif_response)
#if !defined(__i386__)
BLKIF_FUNCS(blk32, struct blkif_x86_32_request, struct blkif_x86_32_request_discard,
            struct blkif_x86_32_request_indirect, struct blkif_x86_32_response)
#endif

/* ---- the scenario, once per ring type ----------------------------------------------------------- */

struct outcome {
    uint32_t req_prod_pvt, rsp_cons, rsp_prod_pvt, req_cons, size;
};

#define SCENARIO(TAG, FILL_REQ, CHECK_REQ, FILL_RSP, CHECK_RSP)                                          \
static int run_##TAG(uint8_t *pg, uint32_t bytes, RING_IDX start, struct outcome *out)                   \
{                                                                                                       \
    struct TAG##_sring *s = (struct TAG##_sring *)pg;                                                   \
    struct TAG##_front_ring f;                                                                          \
    struct TAG##_back_ring b;                                                                           \
    __typeof__(s->ring[0].req) rq;                                                                      \
    __typeof__(s->ring[0].rsp) rp;                                                                      \
    uint32_t i, n, p1, c1;                                                                              \
    int notify, work, fails = 0;                                                                        \
    for (i = 0; i < bytes; i++) pg[i] = g_background(i);                                                \
    SHARED_RING_INIT(s);                                                                                \
    s->req_prod = s->rsp_prod = start;                                                                  \
    s->req_event = s->rsp_event = start + 1;                                                            \
    FRONT_RING_ATTACH(&f, s, start, bytes);                                                             \
    BACK_RING_ATTACH(&b, s, start, bytes);                                                              \
    n = RING_SIZE(&f);                                                                                  \
    tl("geometry"); tk("size", n); tk("entry", (uint32_t)sizeof(s->ring[0])); te();                     \
    p1 = n - 2;                                                                                         \
    for (i = 0; i < p1; i++) {                                                                          \
        FILL_REQ(RING_GET_REQUEST(&f, f.req_prod_pvt), f.req_prod_pvt - start);                         \
        f.req_prod_pvt++;                                                                               \
    }                                                                                                   \
    RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&f, notify);                                                    \
    tl("push1"); tk("notify", notify); tk("free", RING_FREE_REQUESTS(&f)); tk("full", RING_FULL(&f)); te(); \
    RING_FINAL_CHECK_FOR_REQUESTS(&b, work);                                                            \
    tl("final_req1"); tk("work", work != 0); tk("unconsumed", RING_HAS_UNCONSUMED_REQUESTS(&b));        \
    tk("prod_overflow", RING_REQUEST_PROD_OVERFLOW(&b, s->req_prod)); te();                             \
    c1 = n / 2;                                                                                         \
    for (i = 0; i < c1; i++) {                                                                          \
        RING_COPY_REQUEST(&b, b.req_cons, &rq);                                                         \
        fails += CHECK_REQ(&rq, b.req_cons - start, b.req_cons);                                        \
        b.req_cons++;                                                                                   \
    }                                                                                                   \
    for (i = 0; i < c1; i++) {                                                                          \
        FILL_RSP(RING_GET_RESPONSE(&b, b.rsp_prod_pvt), b.rsp_prod_pvt - start);                        \
        b.rsp_prod_pvt++;                                                                               \
    }                                                                                                   \
    RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&b, notify);                                                   \
    tl("push2"); tk("notify", notify); te();                                                            \
    while (b.req_cons != s->req_prod) {                                                                 \
        RING_COPY_REQUEST(&b, b.req_cons, &rq);                                                         \
        fails += CHECK_REQ(&rq, b.req_cons - start, b.req_cons);                                        \
        b.req_cons++;                                                                                   \
    }                                                                                                   \
    tl("consumed"); tk("req_cons", b.req_cons - start);                                                 \
    tk("cons_overflow", RING_REQUEST_CONS_OVERFLOW(&b, b.req_cons)); te();                              \
    while (b.rsp_prod_pvt != b.req_cons - 1) {                                                          \
        FILL_RSP(RING_GET_RESPONSE(&b, b.rsp_prod_pvt), b.rsp_prod_pvt - start);                        \
        b.rsp_prod_pvt++;                                                                               \
    }                                                                                                   \
    RING_FINAL_CHECK_FOR_REQUESTS(&b, work);                                                            \
    tl("final_req2"); tk("work", work != 0); tk("req_event", s->req_event - start); te();               \
    RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&b, notify);                                                   \
    tl("push3"); tk("notify", notify); te();                                                            \
    tl("front_peek"); tk("unconsumed", RING_HAS_UNCONSUMED_RESPONSES(&f));                              \
    tk("rsp_overflow", RING_RESPONSE_PROD_OVERFLOW(&f, s->rsp_prod)); te();                             \
    for (i = 0; i < n / 2 - 1; i++) {                                                                   \
        RING_COPY_RESPONSE(&f, f.rsp_cons, &rp);                                                        \
        fails += CHECK_RSP(&rp, f.rsp_cons - start, f.rsp_cons);                                        \
        f.rsp_cons++;                                                                                   \
    }                                                                                                   \
    RING_FINAL_CHECK_FOR_RESPONSES(&f, work);                                                           \
    tl("final_rsp1"); tk("work", work != 0); te();                                                      \
    while (f.rsp_cons != s->rsp_prod) {                                                                 \
        RING_COPY_RESPONSE(&f, f.rsp_cons, &rp);                                                        \
        fails += CHECK_RSP(&rp, f.rsp_cons - start, f.rsp_cons);                                        \
        f.rsp_cons++;                                                                                   \
    }                                                                                                   \
    RING_FINAL_CHECK_FOR_RESPONSES(&f, work);                                                           \
    tl("final_rsp2"); tk("work", work != 0); tk("rsp_event", s->rsp_event - start); te();               \
    FILL_REQ(RING_GET_REQUEST(&f, f.req_prod_pvt), f.req_prod_pvt - start);                             \
    f.req_prod_pvt++;                                                                                   \
    RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&f, notify);                                                    \
    tl("push4"); tk("notify", notify); tk("free", RING_FREE_REQUESTS(&f)); te();                        \
    for (i = 0; i < 3; i++) {                                                                           \
        FILL_REQ(RING_GET_REQUEST(&f, f.req_prod_pvt), f.req_prod_pvt - start);                         \
        f.req_prod_pvt++;                                                                               \
    }                                                                                                   \
    RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&f, notify); /* req_event == old req_prod: no notify */         \
    tl("push5"); tk("notify", notify); tk("free", RING_FREE_REQUESTS(&f)); te();                        \
    FILL_RSP(RING_GET_RESPONSE(&b, b.rsp_prod_pvt), b.rsp_prod_pvt - start);                            \
    b.rsp_prod_pvt++;                                                                                   \
    RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&b, notify);                                                   \
    tl("push6"); tk("notify", notify); te();                                                            \
    tl("final"); tk("req_prod_pvt", f.req_prod_pvt - start); tk("rsp_cons", f.rsp_cons - start);        \
    tk("rsp_prod_pvt", b.rsp_prod_pvt - start); tk("req_cons", b.req_cons - start); te();               \
    tl("shared"); tk("req_prod", s->req_prod - start); tk("req_event", s->req_event - start);           \
    tk("rsp_prod", s->rsp_prod - start); tk("rsp_event", s->rsp_event - start); te();                   \
    tl("pending"); tk("requests", RING_HAS_UNCONSUMED_REQUESTS(&b));                                    \
    tk("responses", RING_HAS_UNCONSUMED_RESPONSES(&f)); tk("free", RING_FREE_REQUESTS(&f)); te();       \
    out->req_prod_pvt = f.req_prod_pvt; out->rsp_cons = f.rsp_cons;                                     \
    out->rsp_prod_pvt = b.rsp_prod_pvt; out->req_cons = b.req_cons; out->size = n;                      \
    return fails;                                                                                       \
}                                                                                                       \
                                                                                                        \
/* Reads a page built elsewhere with the macros, against a private run of the same scenario. */         \
static int check_##TAG(uint8_t *in, uint8_t *exp, uint32_t bytes, RING_IDX start)                      \
{                                                                                                       \
    struct outcome o;                                                                                   \
    struct TAG##_sring *s = (struct TAG##_sring *)in, *e = (struct TAG##_sring *)exp;                   \
    struct TAG##_front_ring f;                                                                          \
    struct TAG##_back_ring b;                                                                           \
    __typeof__(s->ring[0].req) rq;                                                                      \
    __typeof__(s->ring[0].rsp) rp;                                                                      \
    uint32_t i, idx;                                                                                    \
    int fails;                                                                                          \
    quiet = 1;                                                                                          \
    fails = run_##TAG(exp, bytes, start, &o);                                                           \
    quiet = 0;                                                                                          \
    if (fails) { g_puts("FAIL the private reference run itself failed\n"); return fails; }              \
    fails += s->req_prod == e->req_prod ? 0 : g_fail3("sring", "req_prod", 0, s->req_prod, e->req_prod);     \
    fails += s->req_event == e->req_event ? 0 : g_fail3("sring", "req_event", 0, s->req_event, e->req_event); \
    fails += s->rsp_prod == e->rsp_prod ? 0 : g_fail3("sring", "rsp_prod", 0, s->rsp_prod, e->rsp_prod);     \
    fails += s->rsp_event == e->rsp_event ? 0 : g_fail3("sring", "rsp_event", 0, s->rsp_event, e->rsp_event); \
    for (i = 0; i < sizeof(s->pvt.pvt_pad); i++)                                                        \
        fails += s->pvt.pvt_pad[i] == 0 ? 0 : g_fail3("sring", "pvt_pad", i, s->pvt.pvt_pad[i], 0);      \
    for (i = 0; i < sizeof(s->__pad); i++)                                                              \
        fails += s->__pad[i] == 0 ? 0 : g_fail3("sring", "__pad", i, s->__pad[i], 0);                    \
    FRONT_RING_ATTACH(&f, s, o.req_prod_pvt, bytes);                                                    \
    f.rsp_cons = o.rsp_cons;                                                                            \
    BACK_RING_ATTACH(&b, s, o.rsp_prod_pvt, bytes);                                                     \
    b.req_cons = o.req_cons;                                                                            \
    if (RING_SIZE(&f) != o.size) fails += g_fail3("ring", "RING_SIZE", 0, RING_SIZE(&f), o.size);       \
    if (RING_RESPONSE_PROD_OVERFLOW(&f, s->rsp_prod))                                                   \
        fails += g_fail3("ring", "RING_RESPONSE_PROD_OVERFLOW", s->rsp_prod, 1, 0);                     \
    if (RING_REQUEST_PROD_OVERFLOW(&b, s->req_prod))                                                    \
        fails += g_fail3("ring", "RING_REQUEST_PROD_OVERFLOW", s->req_prod, 1, 0);                      \
    if (fails) return fails;                                                                            \
    g_kv("unconsumed_requests", RING_HAS_UNCONSUMED_REQUESTS(&b));                                      \
    g_kv("unconsumed_responses", RING_HAS_UNCONSUMED_RESPONSES(&f));                                    \
    for (idx = b.req_cons; idx != s->req_prod; idx++) {                                                 \
        RING_COPY_REQUEST(&b, idx, &rq);                                                                \
        fails += CHECK_REQ(&rq, idx - start, idx);                                                      \
    }                                                                                                   \
    for (idx = f.rsp_cons; idx != s->rsp_prod; idx++) {                                                 \
        RING_COPY_RESPONSE(&f, idx, &rp);                                                               \
        fails += CHECK_RSP(&rp, idx - start, idx);                                                      \
    }                                                                                                   \
    for (i = 0; i < bytes; i++) {                                                                       \
        if (in[i] != exp[i]) {                                                                          \
            g_puts("FAIL page byte "); g_putu(i);                                                       \
            if (i >= 64) { g_puts(" (slot "); g_putu((i - 64) / (uint32_t)sizeof(s->ring[0]));         \
                g_puts(" +"); g_putu((i - 64) % (uint32_t)sizeof(s->ring[0])); g_puts(")"); }           \
            g_puts(": got "); g_putu(in[i]); g_puts(" want "); g_putu(exp[i]); g_nl();                   \
            return fails + 1;                                                                           \
        }                                                                                               \
    }                                                                                                   \
    return fails;                                                                                       \
}

SCENARIO(netif_tx, tx_fill_req, tx_check_req, tx_fill_rsp, tx_check_rsp)
SCENARIO(netif_rx, rx_fill_req, rx_check_req, rx_fill_rsp, rx_check_rsp)
SCENARIO(xen_netif_ctrl, ctrl_fill_req, ctrl_check_req, ctrl_fill_rsp, ctrl_check_rsp)
SCENARIO(blkif, blk_fill_req, blk_check_req, blk_fill_rsp, blk_check_rsp)
#if !defined(__i386__)
SCENARIO(blkif_x86_32, blk32_fill_req, blk32_check_req, blk32_fill_rsp, blk32_check_rsp)
#endif

static int usage(const char *why)
{
    g_puts("usage: ring_scenario make|check netif-tx|netif-rx|netif-ctrl|blkif|blkif-x86_32 ORDER START FILE: ");
    g_puts(why);
    g_nl();
    return 2;
}

int golden_main(int argc, char **argv)
{
    int ok, check, fails;
    uint32_t order, start, bytes;
    const char *layout;
    struct outcome o;
    if (argc != 6) return usage("wrong number of arguments");
    if (g_streq(argv[1], "make")) check = 0;
    else if (g_streq(argv[1], "check")) check = 1;
    else return usage("mode must be make or check");
    layout = argv[2];
    order = g_parse_u32(argv[3], &ok);
    if (!ok || order > MAX_ORDER) return usage("bad ORDER");
    start = g_parse_u32(argv[4], &ok);
    if (!ok) return usage("bad START");
    bytes = 4096u << order;
#if defined(__i386__)
    g_puts("abi x86_32\n");
    if (g_streq(layout, "blkif-x86_32")) layout = "blkif";
#else
    g_puts("abi x86_64\n");
#endif
    if (order != 0 && !g_streq(layout, "blkif") && !g_streq(layout, "blkif-x86_32"))
        return usage("only blkif rings have several pages");

    if (check) {
        long n = g_read_file(argv[5], page_buf, bytes);
        if (n < 0) { g_puts("FAIL cannot read "); g_puts(argv[5]); g_nl(); return 2; }
        if ((uint32_t)n != bytes) {
            g_puts("FAIL "); g_puts(argv[5]); g_puts(" has the wrong size, want "); g_putu(bytes); g_nl();
            return 1;
        }
    }

#define DISPATCH(NAME, TAG)                                                                             \
    if (g_streq(layout, NAME)) {                                                                        \
        fails = check ? check_##TAG(page_buf, scratch_buf, bytes, start)                                \
                      : run_##TAG(page_buf, bytes, start, &o);                                          \
    } else

    DISPATCH("netif-tx", netif_tx)
    DISPATCH("netif-rx", netif_rx)
    DISPATCH("netif-ctrl", xen_netif_ctrl)
    DISPATCH("blkif", blkif)
#if !defined(__i386__)
    DISPATCH("blkif-x86_32", blkif_x86_32)
#endif
    return usage("unknown layout");

    if (fails) { g_puts("FAIL "); g_putu((uint32_t)fails); g_puts(" check(s) failed\n"); return 1; }
    if (!check && g_write_file(argv[5], page_buf, bytes) != 0) {
        g_puts("FAIL cannot write "); g_puts(argv[5]); g_nl();
        return 2;
    }
    g_puts("OK\n");
    return 0;
}
