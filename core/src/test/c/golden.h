/*
 * golden.h - tiny portable runtime for the xenpv golden-test programs.
 *
 * The programs build and check ring pages with the macros of the real Xen public headers
 * (/usr/include/xen/io/ *.h). They are compiled at test time, either hosted (x86_64, libc) or, with
 * -DGOLDEN_FREESTANDING -m32 -nostdlib -static, as a freestanding i386 executable that talks to the kernel
 * through int $0x80: Debian's gcc can compile -m32 without the i386 libc being installed, and this is what
 * makes the x86_32 blkif ABI checkable with the compiler's own struct layout.
 *
 * Output is line oriented "key value" text on stdout; exit status 0 = OK, 1 = check failed, 2 = usage/io.
 */
#ifndef XENPV_GOLDEN_H
#define XENPV_GOLDEN_H

#include <stdint.h>
#include <stddef.h>

/*
 * Barriers for io/ring.h: with the default __XEN_INTERFACE_VERSION__ it maps xen_mb/xen_rmb/xen_wmb to
 * mb/rmb/wmb, which the including program provides. x86 is TSO: only the full barrier needs a fence.
 */
#define mb()  __sync_synchronize()
#define rmb() __asm__ __volatile__("" ::: "memory")
#define wmb() __asm__ __volatile__("" ::: "memory")

/* Helpers are static; not every program uses every one. */
#define G_FN static __attribute__((unused))

#ifdef GOLDEN_FREESTANDING

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);

void *memset(void *d, int c, size_t n)
{
    volatile unsigned char *p = d;
    while (n--) *p++ = (unsigned char)c;
    return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
    volatile unsigned char *p = d;
    const volatile unsigned char *q = s;
    while (n--) *p++ = *q++;
    return d;
}

void *memmove(void *d, const void *s, size_t n)
{
    volatile unsigned char *p = d;
    const volatile unsigned char *q = s;
    if (p < q) {
        while (n--) *p++ = *q++;
    } else {
        p += n; q += n;
        while (n--) *--p = *--q;
    }
    return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *p = a, *q = b;
    for (; n; n--, p++, q++)
        if (*p != *q) return *p < *q ? -1 : 1;
    return 0;
}

G_FN long g_sys3(long nr, long a, long b, long c)
{
    long r;
    __asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
    return r;
}

#define G_SYS_EXIT 1
#define G_SYS_READ 3
#define G_SYS_WRITE 4
#define G_SYS_OPEN 5
#define G_SYS_CLOSE 6

G_FN void g_write_fd(int fd, const void *buf, uint32_t len)
{
    const char *p = buf;
    while (len > 0) {
        long n = g_sys3(G_SYS_WRITE, fd, (long)p, (long)len);
        if (n <= 0) return;
        p += n; len -= (uint32_t)n;
    }
}

__attribute__((noreturn)) G_FN void g_exit(int code)
{
    g_sys3(G_SYS_EXIT, code, 0, 0);
    for (;;) {}
}

G_FN int g_write_file(const char *path, const void *buf, uint32_t len)
{
    long fd = g_sys3(G_SYS_OPEN, (long)path, 01 | 0100 | 01000 /* O_WRONLY|O_CREAT|O_TRUNC */, 0644);
    if (fd < 0) return -1;
    g_write_fd((int)fd, buf, len);
    g_sys3(G_SYS_CLOSE, fd, 0, 0);
    return 0;
}

G_FN long g_read_file(const char *path, void *buf, uint32_t cap)
{
    long fd = g_sys3(G_SYS_OPEN, (long)path, 0 /* O_RDONLY */, 0);
    long total = 0;
    if (fd < 0) return -1;
    for (;;) {
        long n = g_sys3(G_SYS_READ, fd, (long)((char *)buf + total), (long)(cap - (uint32_t)total));
        if (n < 0) { total = -1; break; }
        if (n == 0) break;
        total += n;
        if ((uint32_t)total == cap) {
            char extra;
            if (g_sys3(G_SYS_READ, fd, (long)&extra, 1) > 0) total = cap + 1L; /* too long */
            break;
        }
    }
    g_sys3(G_SYS_CLOSE, fd, 0, 0);
    return total;
}

int golden_main(int argc, char **argv);

__attribute__((used)) static void golden_start(long *sp)
{
    int argc = (int)sp[0];
    char **argv = (char **)(sp + 1);
    g_exit(golden_main(argc, argv));
}

__asm__(".text\n.globl _start\n_start:\n"
        "  xorl %ebp, %ebp\n"
        "  movl %esp, %eax\n"
        "  andl $-16, %esp\n"
        "  subl $12, %esp\n"
        "  pushl %eax\n"
        "  call golden_start\n"
        "  hlt\n");

#else /* hosted */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

G_FN void g_write_fd(int fd, const void *buf, uint32_t len)
{
    fwrite(buf, 1, len, fd == 2 ? stderr : stdout);
}

__attribute__((noreturn)) G_FN void g_exit(int code)
{
    fflush(stdout);
    exit(code);
}

G_FN int g_write_file(const char *path, const void *buf, uint32_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    if (fwrite(buf, 1, len, f) != len) { fclose(f); return -1; }
    return fclose(f) == 0 ? 0 : -1;
}

G_FN long g_read_file(const char *path, void *buf, uint32_t cap)
{
    FILE *f = fopen(path, "rb");
    size_t n;
    if (!f) return -1;
    n = fread(buf, 1, cap, f);
    if (n == cap && fgetc(f) != EOF) n = cap + 1; /* too long */
    fclose(f);
    return (long)n;
}

int golden_main(int argc, char **argv);

int main(int argc, char **argv)
{
    int rc = golden_main(argc, argv);
    fflush(stdout);
    return rc;
}

#endif

G_FN uint32_t g_strlen(const char *s)
{
    uint32_t n = 0;
    while (s[n]) n++;
    return n;
}

G_FN void g_puts(const char *s) { g_write_fd(1, s, g_strlen(s)); }

G_FN void g_putu(uint32_t v)
{
    char b[11];
    int i = 10;
    b[i] = 0;
    do { b[--i] = (char)('0' + v % 10); v /= 10; } while (v);
    g_puts(b + i);
}

G_FN void g_puti(int32_t v)
{
    if (v < 0) { g_puts("-"); g_putu((uint32_t)0 - (uint32_t)v); } else g_putu((uint32_t)v);
}

G_FN void g_putx64(uint64_t v)
{
    char b[19];
    int i;
    b[0] = '0'; b[1] = 'x'; b[18] = 0;
    for (i = 0; i < 16; i++) b[17 - i] = "0123456789abcdef"[(v >> (4 * i)) & 0xf];
    g_puts(b);
}

G_FN void g_nl(void) { g_puts("\n"); }

G_FN int g_streq(const char *a, const char *b)
{
    while (*a && *a == *b) { a++; b++; }
    return *a == *b;
}

/* Parses a decimal or 0x-prefixed hex u32; *ok = 0 on garbage or overflow. */
G_FN uint32_t g_parse_u32(const char *s, int *ok)
{
    uint64_t v = 0;
    int base = 10, any = 0;
    *ok = 0;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) { base = 16; s += 2; }
    for (; *s; s++) {
        int d;
        if (*s >= '0' && *s <= '9') d = *s - '0';
        else if (base == 16 && *s >= 'a' && *s <= 'f') d = *s - 'a' + 10;
        else if (base == 16 && *s >= 'A' && *s <= 'F') d = *s - 'A' + 10;
        else return 0;
        v = v * (uint64_t)base + (uint64_t)d;
        if (v > 0xffffffffULL) return 0;
        any = 1;
    }
    *ok = any;
    return (uint32_t)v;
}

/* "key value" output lines. */
G_FN void g_kv(const char *k, uint32_t v) { g_puts(k); g_puts(" "); g_putu(v); g_nl(); }

/* Reports a failed check and returns 1 (for "fails += G_FAIL(...)"-style accumulation). */
G_FN int g_fail3(const char *what, const char *field, uint32_t index, uint64_t got, uint64_t want)
{
    g_puts("FAIL "); g_puts(what); g_puts(" "); g_puts(field);
    g_puts(" at ring index "); g_putu(index);
    g_puts(": got "); g_putx64(got); g_puts(" want "); g_putx64(want); g_nl();
    return 1;
}

/*
 * The field-value function shared with the Java tests (GoldenValues.gv): a 32-bit mix of the entry number
 * k and a field tag f, in pure u32 arithmetic so that both languages agree bit for bit.
 */
G_FN uint32_t gv(uint32_t k, uint32_t f)
{
    uint32_t x = k * 0x9E3779B1u + f * 0x85EBCA77u + 0x165667B1u;
    x ^= x >> 15;
    x *= 0x2C1B3C6Du;
    x ^= x >> 12;
    x *= 0x297A2D39u;
    x ^= x >> 15;
    return x;
}

G_FN uint64_t gv64(uint32_t k, uint32_t f)
{
    return ((uint64_t)gv(k, f) << 32) | gv(k, f + 1000u);
}

/* Background byte at offset i of a fresh page, so that stray writes to padding are visible. */
G_FN uint8_t g_background(uint32_t i) { return (uint8_t)(i * 7u + 0x5Au); }

#endif
