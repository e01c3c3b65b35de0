/*
 * ring_layouts.c - prints sizeof/offsetof of every structure the Java ring codecs implement, as the
 * compiler lays them out from the real headers. Built twice when possible: x86_64 hosted, and i386
 * freestanding (-m32 -DGOLDEN_FREESTANDING) where the blkif structures take their x86_32 shapes.
 *
 * Lines: "<struct> <sizeof>", "<struct>.<field> <offset> <size>", "ring.<name> <RING_SIZE>".
 * The x86_64 build also prints the blkif_x86_32_* structures emulated with #pragma pack(4) (what a 64-bit
 * backend uses to read 32-bit frontends) so they can be compared with the native i386 layout.
 */
#include "golden.h"
#include <xen/io/netif.h>
#include <xen/io/blkif.h>
#include <xen/io/console.h>
#include <xen/io/xs_wire.h>
#include "blkif_x86_32.h"

#define SZ(s) do { g_puts(#s " "); g_putu((uint32_t)sizeof(struct s)); g_nl(); } while (0)
#define FLD(s, f) do { \
        g_puts(#s "." #f " "); g_putu((uint32_t)offsetof(struct s, f)); g_puts(" "); \
        g_putu((uint32_t)sizeof(((struct s *)0)->f)); g_nl(); } while (0)
#define RSZ(name, tag, bytes) do { g_puts("ring." name " "); \
        g_putu((uint32_t)__CONST_RING_SIZE(tag, bytes)); g_nl(); } while (0)
#define ENT(tag) do { g_puts("entry." #tag " "); \
        g_putu((uint32_t)sizeof(union tag##_sring_entry)); g_nl(); } while (0)

int golden_main(int argc, char **argv)
{
    (void)argc; (void)argv;
#if defined(__i386__)
    g_puts("abi x86_32\n");
#else
    g_puts("abi x86_64\n");
#endif

    SZ(netif_tx_sring);
    FLD(netif_tx_sring, req_prod);
    FLD(netif_tx_sring, req_event);
    FLD(netif_tx_sring, rsp_prod);
    FLD(netif_tx_sring, rsp_event);
    FLD(netif_tx_sring, pvt);
    FLD(netif_tx_sring, __pad);
    FLD(netif_tx_sring, ring);
    FLD(blkif_sring, ring);

    SZ(netif_tx_request);
    FLD(netif_tx_request, gref);
    FLD(netif_tx_request, offset);
    FLD(netif_tx_request, flags);
    FLD(netif_tx_request, id);
    FLD(netif_tx_request, size);
    SZ(netif_tx_response);
    FLD(netif_tx_response, id);
    FLD(netif_tx_response, status);
    SZ(netif_rx_request);
    FLD(netif_rx_request, id);
    FLD(netif_rx_request, pad);
    FLD(netif_rx_request, gref);
    SZ(netif_rx_response);
    FLD(netif_rx_response, id);
    FLD(netif_rx_response, offset);
    FLD(netif_rx_response, flags);
    FLD(netif_rx_response, status);
    SZ(netif_extra_info);
    FLD(netif_extra_info, type);
    FLD(netif_extra_info, flags);
    FLD(netif_extra_info, u);
    FLD(netif_extra_info, u.gso.size);
    FLD(netif_extra_info, u.gso.type);
    FLD(netif_extra_info, u.gso.pad);
    FLD(netif_extra_info, u.gso.features);
    FLD(netif_extra_info, u.mcast.addr);
    FLD(netif_extra_info, u.hash.type);
    FLD(netif_extra_info, u.hash.algorithm);
    FLD(netif_extra_info, u.hash.value);
    SZ(xen_netif_ctrl_request);
    FLD(xen_netif_ctrl_request, id);
    FLD(xen_netif_ctrl_request, type);
    FLD(xen_netif_ctrl_request, data);
    SZ(xen_netif_ctrl_response);
    FLD(xen_netif_ctrl_response, id);
    FLD(xen_netif_ctrl_response, type);
    FLD(xen_netif_ctrl_response, status);
    FLD(xen_netif_ctrl_response, data);

    SZ(blkif_request_segment);
    FLD(blkif_request_segment, gref);
    FLD(blkif_request_segment, first_sect);
    FLD(blkif_request_segment, last_sect);
    SZ(blkif_request);
    FLD(blkif_request, operation);
    FLD(blkif_request, nr_segments);
    FLD(blkif_request, handle);
    FLD(blkif_request, id);
    FLD(blkif_request, sector_number);
    FLD(blkif_request, seg);
    SZ(blkif_request_discard);
    FLD(blkif_request_discard, operation);
    FLD(blkif_request_discard, flag);
    FLD(blkif_request_discard, handle);
    FLD(blkif_request_discard, id);
    FLD(blkif_request_discard, sector_number);
    FLD(blkif_request_discard, nr_sectors);
    SZ(blkif_request_indirect);
    FLD(blkif_request_indirect, operation);
    FLD(blkif_request_indirect, indirect_op);
    FLD(blkif_request_indirect, nr_segments);
    FLD(blkif_request_indirect, id);
    FLD(blkif_request_indirect, sector_number);
    FLD(blkif_request_indirect, handle);
    FLD(blkif_request_indirect, indirect_grefs);
    SZ(blkif_response);
    FLD(blkif_response, id);
    FLD(blkif_response, operation);
    FLD(blkif_response, status);

#if !defined(__i386__)
    SZ(blkif_x86_32_request);
    FLD(blkif_x86_32_request, operation);
    FLD(blkif_x86_32_request, nr_segments);
    FLD(blkif_x86_32_request, handle);
    FLD(blkif_x86_32_request, id);
    FLD(blkif_x86_32_request, sector_number);
    FLD(blkif_x86_32_request, seg);
    SZ(blkif_x86_32_request_discard);
    FLD(blkif_x86_32_request_discard, operation);
    FLD(blkif_x86_32_request_discard, flag);
    FLD(blkif_x86_32_request_discard, handle);
    FLD(blkif_x86_32_request_discard, id);
    FLD(blkif_x86_32_request_discard, sector_number);
    FLD(blkif_x86_32_request_discard, nr_sectors);
    SZ(blkif_x86_32_request_indirect);
    FLD(blkif_x86_32_request_indirect, operation);
    FLD(blkif_x86_32_request_indirect, indirect_op);
    FLD(blkif_x86_32_request_indirect, nr_segments);
    FLD(blkif_x86_32_request_indirect, id);
    FLD(blkif_x86_32_request_indirect, sector_number);
    FLD(blkif_x86_32_request_indirect, handle);
    FLD(blkif_x86_32_request_indirect, indirect_grefs);
    SZ(blkif_x86_32_response);
    FLD(blkif_x86_32_response, id);
    FLD(blkif_x86_32_response, operation);
    FLD(blkif_x86_32_response, status);
    ENT(blkif_x86_32);
    RSZ("blkif_x86_32.order0", blkif_x86_32, 4096);
    RSZ("blkif_x86_32.order1", blkif_x86_32, 8192);
    RSZ("blkif_x86_32.order2", blkif_x86_32, 16384);
    RSZ("blkif_x86_32.order3", blkif_x86_32, 32768);
    RSZ("blkif_x86_32.order4", blkif_x86_32, 65536);
#endif

    ENT(netif_tx);
    ENT(netif_rx);
    ENT(xen_netif_ctrl);
    ENT(blkif);
    RSZ("netif_tx", netif_tx, 4096);
    RSZ("netif_rx", netif_rx, 4096);
    RSZ("xen_netif_ctrl", xen_netif_ctrl, 4096);
    RSZ("blkif.order0", blkif, 4096);
    RSZ("blkif.order1", blkif, 8192);
    RSZ("blkif.order2", blkif, 16384);
    RSZ("blkif.order3", blkif, 32768);
    RSZ("blkif.order4", blkif, 65536);

    SZ(xencons_interface);
    FLD(xencons_interface, in);
    FLD(xencons_interface, out);
    FLD(xencons_interface, in_cons);
    FLD(xencons_interface, in_prod);
    FLD(xencons_interface, out_cons);
    FLD(xencons_interface, out_prod);

    SZ(xenstore_domain_interface);
    FLD(xenstore_domain_interface, req);
    FLD(xenstore_domain_interface, rsp);
    FLD(xenstore_domain_interface, req_cons);
    FLD(xenstore_domain_interface, req_prod);
    FLD(xenstore_domain_interface, rsp_cons);
    FLD(xenstore_domain_interface, rsp_prod);
    FLD(xenstore_domain_interface, server_features);
    FLD(xenstore_domain_interface, connection);
    FLD(xenstore_domain_interface, error);
    SZ(xsd_sockmsg);
    FLD(xsd_sockmsg, type);
    FLD(xsd_sockmsg, req_id);
    FLD(xsd_sockmsg, tx_id);
    FLD(xsd_sockmsg, len);
    return 0;
}
