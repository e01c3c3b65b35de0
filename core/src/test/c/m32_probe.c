/* m32_probe.c - can this machine build and run a freestanding i386 program? (CGolden.m32Available) */
#include "golden.h"
#include <xen/io/blkif.h>

int golden_main(int argc, char **argv)
{
    (void)argc; (void)argv;
    g_kv("sizeof_blkif_request", (uint32_t)sizeof(struct blkif_request));
    return 0;
}
