/* LD_PRELOAD stub so cxenstored 4.17 runs without a hypervisor (validation only, not part of the repo). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xenctrl.h>

static const char *dir(void) { const char *d = getenv("XS_STUB_DIR"); return d ? d : "/tmp/xsreal/run"; }

int open(const char *path, int flags, ...) {
    static int (*real)(const char *, int, ...);
    if (!real) real = dlsym(RTLD_NEXT, "open");
    char buf[512];
    mode_t mode = 0;
    if (flags & O_CREAT) { va_list ap; va_start(ap, flags); mode = va_arg(ap, int); va_end(ap); }
    if (!strcmp(path, "/proc/xen/xsd_kva")) { snprintf(buf, sizeof buf, "%s/xsd_kva", dir()); path = buf; }
    else if (!strcmp(path, "/proc/xen/xsd_port")) { snprintf(buf, sizeof buf, "%s/xsd_port", dir()); path = buf; }
    return real(path, flags, mode);
}

xc_interface *xc_interface_open(xentoollog_logger *l, xentoollog_logger *d, unsigned f) { return (xc_interface *)malloc(16); }
int xc_interface_close(xc_interface *x) { return 0; }

/* domains file: one line per existing domain: "<domid> <shutdown> <dying>" */
int xc_domain_getinfo(xc_interface *x, uint32_t first, unsigned int max, xc_dominfo_t *info) {
    char path[512]; snprintf(path, sizeof path, "%s/domains", dir());
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    unsigned d, s, y; int found = 0;
    while (fscanf(f, "%u %u %u", &d, &s, &y) == 3) {
        if (d == first) { memset(info, 0, sizeof *info); info->domid = d; info->shutdown = s; info->dying = y; found = 1; break; }
    }
    fclose(f);
    return found;
}

struct xenevtchn_handle { int fd; };
typedef struct xenevtchn_handle xenevtchn_handle;
xenevtchn_handle *xenevtchn_open(void *l, unsigned f) {
    xenevtchn_handle *h = malloc(sizeof *h);
    char path[512]; snprintf(path, sizeof path, "%s/evtchn", dir());
    h->fd = open(path, O_RDWR | O_NONBLOCK);
    return h;
}
xenevtchn_handle *xenevtchn_fdopen(void *l, int fd, unsigned f) { return xenevtchn_open(l, f); }
int xenevtchn_fd(xenevtchn_handle *h) { return h->fd; }
int xenevtchn_bind_virq(xenevtchn_handle *h, unsigned virq) { return 1000; }
int xenevtchn_bind_interdomain(xenevtchn_handle *h, uint32_t domid, uint32_t port) { return 100 + domid; }
int xenevtchn_notify(xenevtchn_handle *h, uint32_t port) { return 0; }
int xenevtchn_unbind(xenevtchn_handle *h, uint32_t port) { return 0; }
int xenevtchn_unmask(xenevtchn_handle *h, uint32_t port) { return 0; }
int xenevtchn_pending(xenevtchn_handle *h) {
    int32_t port;
    if (read(h->fd, &port, 4) != 4) return 999;
    return port;
}

typedef struct xengnttab_handle xengnttab_handle;
xengnttab_handle *xengnttab_open(void *l, unsigned f) { return (xengnttab_handle *)malloc(16); }
int xengnttab_close(xengnttab_handle *h) { return 0; }
int xengnttab_set_max_grants(xengnttab_handle *h, uint32_t n) { return 0; }
void *xengnttab_map_grant_ref(xengnttab_handle *h, uint32_t domid, uint32_t ref, int prot) {
    char path[512]; snprintf(path, sizeof path, "%s/ring-%u", dir(), domid);
    int fd = open(path, O_RDWR | O_CREAT, 0600);
    if (fd < 0) return NULL;
    if (ftruncate(fd, 4096)) { close(fd); return NULL; }
    void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    return p == MAP_FAILED ? NULL : p;
}
int xengnttab_unmap(xengnttab_handle *h, void *a, uint32_t n) { return munmap(a, 4096 * n); }
