/*
 * storebench: one libxenstore client for `xenpv bench store` (org.xenpv.cli.bench.StoreBenchCommand).
 * Compiled at run time with gcc against libxen-dev's <xenstore.h> and -lxenstore; talks to whatever
 * daemon XENSTORED_PATH names (our xenpv server or the real cxenstored 4.17), exactly like the
 * xenstore-* tools do.
 *
 * Usage: storebench <client-id> <ops>
 *   1. xs_open(0), creates /bench/<client-id>/k0..k15, prints "ready" and waits for one byte on stdin
 *      (so that all clients start together);
 *   2. runs <ops> requests, cycling write, read, read, directory (xs_write of a 32-byte value,
 *      xs_read, xs_directory of /bench/<client-id>) over the 16 keys;
 *   3. prints "done <ops> <start-ns> <end-ns>" (CLOCK_MONOTONIC, comparable across processes).
 * Exit 0 on success; 2 if the daemon cannot be reached; 3 if a request fails (errno printed).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xenstore.h>

#define KEYS 16

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s <client-id> <ops>\n", argv[0]);
        return 1;
    }
    const char *id = argv[1];
    long ops = atol(argv[2]);
    struct xs_handle *h = xs_open(0);
    if (!h) {
        fprintf(stderr, "storebench %s: xs_open: %s\n", id, strerror(errno));
        return 2;
    }
    char base[64];
    char paths[KEYS][96];
    snprintf(base, sizeof(base), "/bench/%s", id);
    const char value[] = "0123456789abcdef0123456789abcdef";
    for (int k = 0; k < KEYS; k++) {
        snprintf(paths[k], sizeof(paths[k]), "%s/k%d", base, k);
        if (!xs_write(h, XBT_NULL, paths[k], value, sizeof(value) - 1)) {
            fprintf(stderr, "storebench %s: setup write %s: %s\n", id, paths[k], strerror(errno));
            return 3;
        }
    }
    printf("ready\n");
    fflush(stdout);
    char go;
    if (read(0, &go, 1) != 1) {
        fprintf(stderr, "storebench %s: no start signal on stdin\n", id);
        return 1;
    }
    long long start = now_ns();
    for (long i = 0; i < ops; i++) {
        const char *p = paths[i % KEYS];
        unsigned int len;
        switch (i & 3) {
        case 0:
            if (!xs_write(h, XBT_NULL, p, value, sizeof(value) - 1)) {
                fprintf(stderr, "storebench %s: write %s: %s\n", id, p, strerror(errno));
                return 3;
            }
            break;
        case 1:
        case 2: {
            void *v = xs_read(h, XBT_NULL, p, &len);
            if (!v) {
                fprintf(stderr, "storebench %s: read %s: %s\n", id, p, strerror(errno));
                return 3;
            }
            free(v);
            break;
        }
        default: {
            char **d = xs_directory(h, XBT_NULL, base, &len);
            if (!d || len != KEYS) {
                fprintf(stderr, "storebench %s: directory %s: %s (%u entries)\n", id, base,
                        d ? "wrong count" : strerror(errno), d ? len : 0);
                return 3;
            }
            free(d);
            break;
        }
        }
    }
    long long end = now_ns();
    printf("done %ld %lld %lld\n", ops, start, end);
    fflush(stdout);
    xs_close(h);
    return 0;
}
