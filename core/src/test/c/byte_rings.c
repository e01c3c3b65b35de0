/*
 * byte_rings.c - golden runs of the two byte-stream rings, with the real structures and mask macros:
 * struct xenstore_domain_interface / MASK_XENSTORE_IDX (io/xs_wire.h) and struct xencons_interface /
 * MASK_XENCONS_IDX (io/console.h).
 *
 *   byte_rings make  xenstore|console START OUT   builds the 4096-byte page, writes it, prints a transcript
 *   byte_rings check xenstore|console START IN    re-runs privately, then checks IN (built by Java)
 *
 * Writers copy min(wanted, free space) bytes and then publish prod; readers copy min(wanted, available) and
 * then publish cons, as xenstored and hvc_xen do. Byte k of a stream (k = index - START of that stream) is
 * gv(k, tag) & 0xff with tag 200 (xenstore req), 300 (xenstore rsp), 400 (console in), 500 (console out).
 */
#include "golden.h"
#include <xen/io/xs_wire.h>
#include <xen/io/console.h>

static uint8_t page_buf[4096] __attribute__((aligned(4096)));
static uint8_t scratch_buf[4096] __attribute__((aligned(4096)));
static int quiet;
static int fails;

static void line(const char *what, uint32_t want, uint32_t n, uint32_t cons, uint32_t prod, uint32_t start)
{
    if (quiet) return;
    g_puts(what); g_puts(" want="); g_putu(want); g_puts(" n="); g_putu(n);
    g_puts(" cons="); g_putu(cons - start); g_puts(" prod="); g_putu(prod - start); g_nl();
}

static uint8_t sbyte(uint32_t k, uint32_t tag) { return (uint8_t)gv(k, tag); }

static int data_fails;

/* Reports the first few wrong stream bytes, counts the rest. */
static void check_byte(const char *ring, uint32_t idx, uint8_t got, uint8_t want)
{
    if (got == want) return;
    if (data_fails++ < 3) g_fail3(ring, "data", idx, got, want);
    fails++;
}

/* One write or read on a byte ring, spelled out per structure so the real macros index the arrays. */
#define XS_WRITE(intf, dir, tag, start, want) do {                                                     \
        uint32_t c_ = (intf)->dir##_cons, p_ = (intf)->dir##_prod, n_, i_;                              \
        n_ = XENSTORE_RING_SIZE - (p_ - c_);                                                            \
        if (n_ > (want)) n_ = (want);                                                                   \
        for (i_ = 0; i_ < n_; i_++) (intf)->dir[MASK_XENSTORE_IDX(p_ + i_)] = (char)sbyte(p_ + i_ - (start), tag); \
        wmb();                                                                                          \
        (intf)->dir##_prod = p_ + n_;                                                                   \
        line("xenstore " #dir " write", (want), n_, c_, p_ + n_, (start));                              \
    } while (0)

#define XS_READ(intf, dir, tag, start, want) do {                                                      \
        uint32_t c_ = (intf)->dir##_cons, p_ = (intf)->dir##_prod, n_, i_;                              \
        rmb();                                                                                          \
        n_ = p_ - c_;                                                                                   \
        if (n_ > (want)) n_ = (want);                                                                   \
        for (i_ = 0; i_ < n_; i_++)                                                                     \
            check_byte("xenstore " #dir, c_ + i_, (uint8_t)(intf)->dir[MASK_XENSTORE_IDX(c_ + i_)], sbyte(c_ + i_ - (start), tag)); \
        mb();                                                                                           \
        (intf)->dir##_cons = c_ + n_;                                                                   \
        line("xenstore " #dir " read", (want), n_, c_ + n_, p_, (start));                               \
    } while (0)

#define CONS_WRITE(intf, dir, tag, start, want) do {                                                   \
        uint32_t c_ = (intf)->dir##_cons, p_ = (intf)->dir##_prod, n_, i_;                              \
        n_ = (uint32_t)sizeof((intf)->dir) - (p_ - c_);                                                 \
        if (n_ > (want)) n_ = (want);                                                                   \
        for (i_ = 0; i_ < n_; i_++) (intf)->dir[MASK_XENCONS_IDX(p_ + i_, (intf)->dir)] = (char)sbyte(p_ + i_ - (start), tag); \
        wmb();                                                                                          \
        (intf)->dir##_prod = p_ + n_;                                                                   \
        line("console " #dir " write", (want), n_, c_, p_ + n_, (start));                               \
    } while (0)

#define CONS_READ(intf, dir, tag, start, want) do {                                                    \
        uint32_t c_ = (intf)->dir##_cons, p_ = (intf)->dir##_prod, n_, i_;                              \
        rmb();                                                                                          \
        n_ = p_ - c_;                                                                                   \
        if (n_ > (want)) n_ = (want);                                                                   \
        for (i_ = 0; i_ < n_; i_++)                                                                     \
            check_byte("console " #dir, c_ + i_, (uint8_t)(intf)->dir[MASK_XENCONS_IDX(c_ + i_, (intf)->dir)], sbyte(c_ + i_ - (start), tag)); \
        mb();                                                                                           \
        (intf)->dir##_cons = c_ + n_;                                                                   \
        line("console " #dir " read", (want), n_, c_ + n_, p_, (start));                                \
    } while (0)

static void background(uint8_t *pg)
{
    uint32_t i;
    for (i = 0; i < 4096; i++) pg[i] = g_background(i);
}

static void run_xenstore(uint8_t *pg, uint32_t start)
{
    struct xenstore_domain_interface *x = (struct xenstore_domain_interface *)pg;
    uint32_t rstart = start + 100;
    background(pg);
    x->req_cons = x->req_prod = start;
    x->rsp_cons = x->rsp_prod = rstart;
    x->server_features = XENSTORE_SERVER_FEATURE_RECONNECTION;
    x->connection = XENSTORE_CONNECTED;
    x->error = XENSTORE_ERROR_NONE;
    XS_WRITE(x, req, 200, start, 700);
    XS_READ(x, req, 200, start, 500);
    XS_WRITE(x, req, 200, start, 900);
    XS_WRITE(x, rsp, 300, rstart, 1000);
    XS_READ(x, rsp, 300, rstart, 300);
    XS_READ(x, req, 200, start, 2000);
    XS_WRITE(x, req, 200, start, 50);
    XS_WRITE(x, rsp, 300, rstart, 400);
}

static void run_console(uint8_t *pg, uint32_t start)
{
    struct xencons_interface *c = (struct xencons_interface *)pg;
    uint32_t istart = start + 3000;
    background(pg);
    c->out_cons = c->out_prod = start;
    c->in_cons = c->in_prod = istart;
    CONS_WRITE(c, out, 500, start, 1500);
    CONS_READ(c, out, 500, start, 1000);
    CONS_WRITE(c, out, 500, start, 1600);
    CONS_WRITE(c, in, 400, istart, 800);
    CONS_READ(c, in, 400, istart, 100);
    CONS_WRITE(c, in, 400, istart, 400);
    CONS_READ(c, out, 500, start, 4000);
}

static int compare(const uint8_t *in, const uint8_t *exp, uint32_t from, uint32_t to, const char *what)
{
    uint32_t i;
    for (i = from; i < to; i++) {
        if (in[i] != exp[i]) {
            g_puts("FAIL "); g_puts(what); g_puts(" byte "); g_putu(i); g_puts(": got "); g_putu(in[i]);
            g_puts(" want "); g_putu(exp[i]); g_nl();
            return 1;
        }
    }
    return 0;
}

static void check_xenstore(uint8_t *in, uint32_t start)
{
    struct xenstore_domain_interface *x = (struct xenstore_domain_interface *)in;
    struct xenstore_domain_interface *e = (struct xenstore_domain_interface *)scratch_buf;
    quiet = 1;
    run_xenstore(scratch_buf, start);
#define XF(f) if (x->f != e->f) fails += g_fail3("xenstore_domain_interface", #f, 0, x->f, e->f)
    XF(req_cons); XF(req_prod); XF(rsp_cons); XF(rsp_prod); XF(server_features); XF(connection); XF(error);
    if (x->req_prod - x->req_cons > XENSTORE_RING_SIZE || x->rsp_prod - x->rsp_cons > XENSTORE_RING_SIZE) {
        g_puts("FAIL illegal ring indices\n");
        fails++;
        return;
    }
    if (fails) return;
    fails += compare(in, scratch_buf, 0, 4096, "page");
    /* The unread bytes, read through the mask as the daemon and the guest do (this moves the copy's cons). */
    XS_READ(x, req, 200, start, 4096);
    XS_READ(x, rsp, 300, start + 100, 4096);
}

static void check_console(uint8_t *in, uint32_t start)
{
    struct xencons_interface *c = (struct xencons_interface *)in;
    struct xencons_interface *e = (struct xencons_interface *)scratch_buf;
    quiet = 1;
    run_console(scratch_buf, start);
#define CF(f) if (c->f != e->f) fails += g_fail3("xencons_interface", #f, 0, c->f, e->f)
    CF(in_cons); CF(in_prod); CF(out_cons); CF(out_prod);
    if (c->in_prod - c->in_cons > sizeof(c->in) || c->out_prod - c->out_cons > sizeof(c->out)) {
        g_puts("FAIL illegal ring indices\n");
        fails++;
        return;
    }
    if (fails) return;
    fails += compare(in, scratch_buf, 0, 4096, "page");
    CONS_READ(c, in, 400, start + 3000, 4096);
    CONS_READ(c, out, 500, start, 4096);
}

int golden_main(int argc, char **argv)
{
    int ok, check;
    uint32_t start;
    if (argc != 5) goto usage;
    if (g_streq(argv[1], "make")) check = 0;
    else if (g_streq(argv[1], "check")) check = 1;
    else goto usage;
    start = g_parse_u32(argv[3], &ok);
    if (!ok) goto usage;
    if (check) {
        long n = g_read_file(argv[4], page_buf, sizeof(page_buf));
        if (n != (long)sizeof(page_buf)) {
            g_puts("FAIL "); g_puts(argv[4]); g_puts(" is not a 4096-byte page\n");
            return 1;
        }
    }
    if (g_streq(argv[2], "xenstore")) {
        if (check) check_xenstore(page_buf, start); else run_xenstore(page_buf, start);
    } else if (g_streq(argv[2], "console")) {
        if (check) check_console(page_buf, start); else run_console(page_buf, start);
    } else {
        goto usage;
    }
    if (fails) { g_puts("FAIL "); g_putu((uint32_t)fails); g_puts(" check(s) failed\n"); return 1; }
    if (!check && g_write_file(argv[4], page_buf, sizeof(page_buf)) != 0) {
        g_puts("FAIL cannot write "); g_puts(argv[4]); g_nl();
        return 2;
    }
    g_puts("OK\n");
    return 0;
usage:
    g_puts("usage: byte_rings make|check xenstore|console START FILE\n");
    return 2;
}
