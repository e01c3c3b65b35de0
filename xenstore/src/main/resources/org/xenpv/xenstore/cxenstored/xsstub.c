/*
 * xsstub: LD_PRELOAD library that lets the Debian Xen 4.17 C xenstored run without a hypervisor.
 * Written for the xenpv test rig (org.xenpv.xenstore.cxenstored.RealCxenstored) and `xenpv bench store`
 * (a main resource so that the CLI can use it too); compiled by the
 * tests with gcc into target/, never committed as a binary.
 *
 * It replaces the libxenctrl / libxenevtchn / libxengnttab entry points the daemon imports
 * (`nm -D --undefined-only xenstored`) and redirects open() of the two /proc/xen files the daemon
 * reads at start-up. The signatures come from the installed headers <xenctrl.h>, <xenevtchn.h>,
 * <xengnttab.h> (libxen-dev 4.17). Configuration, all by environment:
 *
 *   XSSTUB_DIR       directory holding the redirected files (required):
 *                      xsd_kva     dom0's ring page (created as 4096 zero bytes if missing)
 *                      xsd_port    dom0's event channel (created containing "1" if missing)
 *                      ring-<domid>  a guest's xenstore_domain_interface page; mapped MAP_SHARED when
 *                                  the daemon maps grant ref 1 (GNTTAB_RESERVED_XENSTORE) of <domid>
 *                      domains     optional list of existing domains (see XSSTUB_DOMAINS); re-read on
 *                                  every xc_domain_getinfo() call, so a test can make domains die
 *   XSSTUB_DOMAINS   existing domains when $XSSTUB_DIR/domains is absent; default "0". Entries are
 *                    separated by commas or white space: "<domid>[:dying|:shutdown|:crashed]".
 *   XSSTUB_EVTCHN    path of a Unix stream socket to connect to as the event-channel device. The
 *                    test writes 4-byte little-endian local port numbers to kick the daemon
 *                    (xenevtchn_pending() returns them); the stub writes one text line per event
 *                    channel operation: "bind <local> <domid> <remote>", "virq <local> <virq>",
 *                    "notify <local>", "unbind <local>", "map <domid> <ref> ok|fail <errno>",
 *                    "unmap <domid>". Without it the event fd is an idle pipe.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <xenctrl.h>
#include <xenevtchn.h>
#include <xengnttab.h>

#define STUB_PAGE 4096
#define STUB_MAX_DOMAINS 256
#define STUB_MAX_MAPS 256

struct xenevtchn_handle {
    int fd;       /* what the daemon polls */
    int idle_wr;  /* write end kept open when fd is an idle pipe, so poll never sees POLLHUP */
    int linked;   /* fd is the test's socket */
};

struct xengntdev_handle {
    int unused;
};

struct xc_interface_core {
    int unused;
};

static struct xc_interface_core stub_xc;
static struct xengntdev_handle stub_gnttab;
static evtchn_port_t next_port = 1;
static int event_fd = -1;

static struct {
    void *addr;
    uint32_t domid;
} maps[STUB_MAX_MAPS];

typedef int (*open_fn)(const char *, int, ...);

static int real_open(const char *path, int flags, mode_t mode)
{
    static open_fn fn;
    if (!fn)
        fn = (open_fn)dlsym(RTLD_NEXT, "open");
    return fn(path, flags, mode);
}

static const char *stub_dir(void)
{
    const char *d = getenv("XSSTUB_DIR");
    if (!d || !*d) {
        fprintf(stderr, "xsstub: XSSTUB_DIR is not set\n");
        abort();
    }
    return d;
}

static void stub_path(char *buf, size_t len, const char *name)
{
    if ((size_t)snprintf(buf, len, "%s/%s", stub_dir(), name) >= len) {
        fprintf(stderr, "xsstub: path %s/%s too long\n", stub_dir(), name);
        abort();
    }
}

/* One line to the test, if it is listening. A short write means the test went away: ignore. */
static void emit(const char *fmt, ...)
{
    char line[128];
    va_list ap;
    int n, off = 0;

    if (event_fd < 0)
        return;
    va_start(ap, fmt);
    n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (n < 0 || n >= (int)sizeof(line))
        return;
    while (off < n) {
        ssize_t w = write(event_fd, line + off, n - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        off += w;
    }
}

static int ensure_file(const char *path, const char *content, size_t size)
{
    int fd = real_open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd < 0)
        return errno == EEXIST ? 0 : -1;
    if (content) {
        size_t len = strlen(content);
        if (write(fd, content, len) != (ssize_t)len) {
            close(fd);
            return -1;
        }
    } else if (ftruncate(fd, size) < 0) {
        close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

static int redirect(const char *path, char *out, size_t len)
{
    if (!strcmp(path, "/proc/xen/xsd_kva")) {
        stub_path(out, len, "xsd_kva");
        return ensure_file(out, NULL, STUB_PAGE) ? -1 : 1;
    }
    if (!strcmp(path, "/proc/xen/xsd_port")) {
        stub_path(out, len, "xsd_port");
        return ensure_file(out, "1", 0) ? -1 : 1;
    }
    return 0;
}

static int open_impl(const char *path, int flags, mode_t mode)
{
    char target[PATH_MAX];
    int r = path ? redirect(path, target, sizeof(target)) : 0;

    if (r < 0)
        return -1;
    return real_open(r ? target : path, flags, mode);
}

int open(const char *path, int flags, ...)
{
    mode_t mode = 0;
    if (flags & (O_CREAT | O_TMPFILE)) {
        va_list ap;
        va_start(ap, flags);
        mode = va_arg(ap, mode_t);
        va_end(ap);
    }
    return open_impl(path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
    mode_t mode = 0;
    if (flags & (O_CREAT | O_TMPFILE)) {
        va_list ap;
        va_start(ap, flags);
        mode = va_arg(ap, mode_t);
        va_end(ap);
    }
    return open_impl(path, flags, mode);
}

/* ---- libxenctrl ---- */

xc_interface *xc_interface_open(xentoollog_logger *logger, xentoollog_logger *dombuild_logger,
                                unsigned open_flags)
{
    (void)logger;
    (void)dombuild_logger;
    (void)open_flags;
    return &stub_xc;
}

int xc_interface_close(xc_interface *xch)
{
    (void)xch;
    return 0;
}

struct stub_domain {
    uint32_t domid;
    int dying, shutdown, crashed;
};

static int cmp_domain(const void *a, const void *b)
{
    uint32_t x = ((const struct stub_domain *)a)->domid, y = ((const struct stub_domain *)b)->domid;
    return x < y ? -1 : x > y;
}

static int load_domains(struct stub_domain *out, int max)
{
    char text[4096], path[PATH_MAX];
    const char *src = NULL;
    int fd, n = 0;
    char *tok, *save;

    stub_path(path, sizeof(path), "domains");
    fd = real_open(path, O_RDONLY, 0);
    if (fd >= 0) {
        ssize_t r = read(fd, text, sizeof(text) - 1);
        close(fd);
        text[r > 0 ? r : 0] = '\0';
        src = text;
    } else {
        src = getenv("XSSTUB_DOMAINS");
        if (!src)
            src = "0";
        snprintf(text, sizeof(text), "%s", src);
    }
    for (tok = strtok_r(text, ", \t\r\n", &save); tok && n < max; tok = strtok_r(NULL, ", \t\r\n", &save)) {
        char *end;
        unsigned long id = strtoul(tok, &end, 10);
        if (end == tok || id > 0xffff)
            continue;
        memset(&out[n], 0, sizeof(out[n]));
        out[n].domid = (uint32_t)id;
        if (!strcmp(end, ":dying"))
            out[n].dying = 1;
        else if (!strcmp(end, ":shutdown"))
            out[n].shutdown = 1;
        else if (!strcmp(end, ":crashed"))
            out[n].crashed = 1;
        else if (*end)
            continue;
        n++;
    }
    qsort(out, n, sizeof(out[0]), cmp_domain);
    return n;
}

/* Like the hypercall: up to max_doms domains with domid >= first_domid, in domid order. */
int xc_domain_getinfo(xc_interface *xch, uint32_t first_domid, unsigned int max_doms, xc_dominfo_t *info)
{
    struct stub_domain doms[STUB_MAX_DOMAINS];
    int n = load_domains(doms, STUB_MAX_DOMAINS), i;
    unsigned int got = 0;

    (void)xch;
    for (i = 0; i < n && got < max_doms; i++) {
        if (doms[i].domid < first_domid)
            continue;
        memset(&info[got], 0, sizeof(info[got]));
        info[got].domid = doms[i].domid;
        info[got].dying = doms[i].dying;
        info[got].shutdown = doms[i].shutdown;
        info[got].crashed = doms[i].crashed;
        info[got].running = !(doms[i].dying || doms[i].shutdown || doms[i].crashed);
        info[got].hvm = 1;
        info[got].xenstore = 0;
        info[got].nr_online_vcpus = 1;
        got++;
    }
    return (int)got;
}

/* ---- libxenevtchn ---- */

static xenevtchn_handle *new_evtchn_handle(void)
{
    xenevtchn_handle *h = calloc(1, sizeof(*h));
    const char *sock = getenv("XSSTUB_EVTCHN");

    if (!h)
        return NULL;
    h->idle_wr = -1;
    if (sock && *sock) {
        struct sockaddr_un sa;
        int fd = socket(AF_UNIX, SOCK_STREAM, 0);
        if (fd < 0) {
            free(h);
            return NULL;
        }
        memset(&sa, 0, sizeof(sa));
        sa.sun_family = AF_UNIX;
        if (strlen(sock) >= sizeof(sa.sun_path)) {
            fprintf(stderr, "xsstub: XSSTUB_EVTCHN path too long: %s\n", sock);
            errno = ENAMETOOLONG;
            close(fd);
            free(h);
            return NULL;
        }
        strcpy(sa.sun_path, sock);
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
            fprintf(stderr, "xsstub: connect %s: %s\n", sock, strerror(errno));
            close(fd);
            free(h);
            return NULL;
        }
        h->fd = fd;
        h->linked = 1;
        event_fd = fd;
    } else {
        int p[2];
        if (pipe(p) < 0) {
            free(h);
            return NULL;
        }
        h->fd = p[0];
        h->idle_wr = p[1];
    }
    return h;
}

xenevtchn_handle *xenevtchn_open(xentoollog_logger *logger, unsigned int flags)
{
    (void)logger;
    (void)flags;
    return new_evtchn_handle();
}

/* Used by live update to adopt an inherited fd; the rig never live-updates. */
xenevtchn_handle *xenevtchn_fdopen(xentoollog_logger *logger, int fd, unsigned open_flags)
{
    xenevtchn_handle *h = calloc(1, sizeof(*h));
    (void)logger;
    (void)open_flags;
    if (!h)
        return NULL;
    h->fd = fd;
    h->idle_wr = -1;
    return h;
}

int xenevtchn_close(xenevtchn_handle *xce)
{
    if (!xce)
        return 0;
    close(xce->fd);
    if (xce->idle_wr >= 0)
        close(xce->idle_wr);
    if (xce->fd == event_fd)
        event_fd = -1;
    free(xce);
    return 0;
}

int xenevtchn_fd(xenevtchn_handle *xce)
{
    return xce->fd;
}

int xenevtchn_notify(xenevtchn_handle *xce, evtchn_port_t port)
{
    (void)xce;
    emit("notify %u\n", port);
    return 0;
}

xenevtchn_port_or_error_t xenevtchn_bind_interdomain(xenevtchn_handle *xce, uint32_t domid,
                                                     evtchn_port_t remote_port)
{
    evtchn_port_t local = next_port++;
    (void)xce;
    emit("bind %u %u %u\n", local, domid, remote_port);
    return (xenevtchn_port_or_error_t)local;
}

xenevtchn_port_or_error_t xenevtchn_bind_virq(xenevtchn_handle *xce, unsigned int virq)
{
    evtchn_port_t local = next_port++;
    (void)xce;
    emit("virq %u %u\n", local, virq);
    return (xenevtchn_port_or_error_t)local;
}

int xenevtchn_unbind(xenevtchn_handle *xce, evtchn_port_t port)
{
    (void)xce;
    emit("unbind %u\n", port);
    return 0;
}

/* Only called after poll() saw the fd readable, so a whole port number is (about to be) there. */
xenevtchn_port_or_error_t xenevtchn_pending(xenevtchn_handle *xce)
{
    uint32_t port;
    size_t got = 0;

    if (!xce->linked) {
        errno = EAGAIN;
        return -1;
    }
    while (got < sizeof(port)) {
        ssize_t r = read(xce->fd, (char *)&port + got, sizeof(port) - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            if (r == 0)
                errno = ECONNRESET;
            return -1;
        }
        got += r;
    }
    return (xenevtchn_port_or_error_t)port;
}

int xenevtchn_unmask(xenevtchn_handle *xce, evtchn_port_t port)
{
    (void)xce;
    (void)port;
    return 0;
}

/* ---- libxengnttab ---- */

xengnttab_handle *xengnttab_open(xentoollog_logger *logger, unsigned open_flags)
{
    (void)logger;
    (void)open_flags;
    return &stub_gnttab;
}

int xengnttab_close(xengnttab_handle *xgt)
{
    (void)xgt;
    return 0;
}

int xengnttab_set_max_grants(xengnttab_handle *xgt, uint32_t nr_grants)
{
    (void)xgt;
    (void)nr_grants;
    return 0;
}

/* Only the xenstore ring grant (GNTTAB_RESERVED_XENSTORE = 1) exists: the file ring-<domid>. */
void *xengnttab_map_grant_ref(xengnttab_handle *xgt, uint32_t domid, uint32_t ref, int prot)
{
    char name[32], path[PATH_MAX];
    void *addr;
    int fd, i, err;

    (void)xgt;
    if (ref != 1) {
        emit("map %u %u fail %d\n", domid, ref, EINVAL);
        errno = EINVAL;
        return NULL;
    }
    snprintf(name, sizeof(name), "ring-%u", domid);
    stub_path(path, sizeof(path), name);
    fd = real_open(path, O_RDWR, 0);
    if (fd < 0) {
        err = errno;
        emit("map %u %u fail %d\n", domid, ref, err);
        errno = err;
        return NULL;
    }
    addr = mmap(NULL, STUB_PAGE, prot, MAP_SHARED, fd, 0);
    err = errno;
    close(fd);
    if (addr == MAP_FAILED) {
        emit("map %u %u fail %d\n", domid, ref, err);
        errno = err;
        return NULL;
    }
    for (i = 0; i < STUB_MAX_MAPS; i++) {
        if (!maps[i].addr) {
            maps[i].addr = addr;
            maps[i].domid = domid;
            break;
        }
    }
    emit("map %u %u ok\n", domid, ref);
    return addr;
}

int xengnttab_unmap(xengnttab_handle *xgt, void *start_address, uint32_t count)
{
    int i;

    (void)xgt;
    for (i = 0; i < STUB_MAX_MAPS; i++) {
        if (maps[i].addr == start_address) {
            emit("unmap %u\n", maps[i].domid);
            maps[i].addr = NULL;
            break;
        }
    }
    return munmap(start_address, (size_t)count * STUB_PAGE);
}
