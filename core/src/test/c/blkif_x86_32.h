/*
 * blkif_x86_32.h - the x86_32 blkif ABI as seen from a 64-bit program.
 *
 * The public headers define blkif structures only for the compiler's own ABI; a 64-bit backend serving a
 * 32-bit frontend (protocol "x86_32-abi", XEN_IO_PROTO_ABI_X86_32 in io/protocols.h) reads them with
 * uint64_t aligned to 4 bytes. This file declares those shapes with #pragma pack(4) over the same
 * members as io/blkif.h and instantiates the real DEFINE_RING_TYPES macro for them. ring_layouts.c prints
 * both these emulated layouts and, when gcc -m32 works, the compiler's native i386 layouts; the Java tests
 * require them to agree.
 */
#ifndef XENPV_BLKIF_X86_32_H
#define XENPV_BLKIF_X86_32_H
#if !defined(__i386__)
#include <xen/io/blkif.h>

#pragma pack(push, 4)
struct blkif_x86_32_request {
    uint8_t        operation;
    uint8_t        nr_segments;
    blkif_vdev_t   handle;
    uint64_t       id;
    blkif_sector_t sector_number;
    struct blkif_request_segment seg[BLKIF_MAX_SEGMENTS_PER_REQUEST];
};
struct blkif_x86_32_request_discard {
    uint8_t        operation;
    uint8_t        flag;
    blkif_vdev_t   handle;
    uint64_t       id;
    blkif_sector_t sector_number;
    uint64_t       nr_sectors;
};
struct blkif_x86_32_request_indirect {
    uint8_t        operation;
    uint8_t        indirect_op;
    uint16_t       nr_segments;
    uint64_t       id;
    blkif_sector_t sector_number;
    blkif_vdev_t   handle;
    grant_ref_t    indirect_grefs[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
    uint64_t       pad; /* present on i386 in io/blkif.h */
};
struct blkif_x86_32_response {
    uint64_t       id;
    uint8_t        operation;
    int16_t        status;
};
#pragma pack(pop)

DEFINE_RING_TYPES(blkif_x86_32, struct blkif_x86_32_request, struct blkif_x86_32_response);
#endif
#endif
