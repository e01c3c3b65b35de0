package org.xenpv.core.ring.netif;

import org.xenpv.core.ring.RingLayout;

/**
 * Constants of {@code io/netif.h} and the three netif ring layouts ({@code DEFINE_RING_TYPES(netif_tx, ...)},
 * {@code netif_rx}, {@code xen_netif_ctrl}). netif rings are single-page.
 */
public final class Netif {

    private Netif() {
    }

    /** {@code netif_tx}: 12-byte slots, 256 per page. */
    public static final RingLayout<NetifTxRequest, NetifTxResponse> TX =
            new RingLayout<>("netif_tx", NetifTxRequest.CODEC, NetifTxResponse.CODEC);
    /** {@code netif_rx}: 8-byte slots, 256 per page. */
    public static final RingLayout<NetifRxRequest, NetifRxResponse> RX =
            new RingLayout<>("netif_rx", NetifRxRequest.CODEC, NetifRxResponse.CODEC);
    /** {@code xen_netif_ctrl}: 16-byte slots, 128 per page. */
    public static final RingLayout<NetifCtrlRequest, NetifCtrlResponse> CTRL =
            new RingLayout<>("xen_netif_ctrl", NetifCtrlRequest.CODEC, NetifCtrlResponse.CODEC);

    /** {@code XEN_NETIF_NR_SLOTS_MIN}. */
    public static final int NR_SLOTS_MIN = 18;
    /** {@code XEN_NETIF_MAX_TX_SIZE}. */
    public static final int MAX_TX_SIZE = 0xFFFF;

    public static final int NETTXF_CSUM_BLANK = 1;
    public static final int NETTXF_DATA_VALIDATED = 1 << 1;
    public static final int NETTXF_MORE_DATA = 1 << 2;
    public static final int NETTXF_EXTRA_INFO = 1 << 3;

    public static final int NETRXF_DATA_VALIDATED = 1;
    public static final int NETRXF_CSUM_BLANK = 1 << 1;
    public static final int NETRXF_MORE_DATA = 1 << 2;
    public static final int NETRXF_EXTRA_INFO = 1 << 3;
    public static final int NETRXF_GSO_PREFIX = 1 << 4;

    public static final int NETIF_RSP_DROPPED = -2;
    public static final int NETIF_RSP_ERROR = -1;
    public static final int NETIF_RSP_OKAY = 0;
    /** The response in the slot of an extra-info segment. */
    public static final int NETIF_RSP_NULL = 1;

    public static final int EXTRA_TYPE_NONE = 0;
    public static final int EXTRA_TYPE_GSO = 1;
    public static final int EXTRA_TYPE_MCAST_ADD = 2;
    public static final int EXTRA_TYPE_MCAST_DEL = 3;
    public static final int EXTRA_TYPE_HASH = 4;
    public static final int EXTRA_TYPE_MAX = 5;
    /** {@code XEN_NETIF_EXTRA_FLAG_MORE}: another extra-info segment follows. */
    public static final int EXTRA_FLAG_MORE = 1;

    public static final int GSO_TYPE_NONE = 0;
    public static final int GSO_TYPE_TCPV4 = 1;
    public static final int GSO_TYPE_TCPV6 = 2;

    public static final int CTRL_HASH_TYPE_IPV4 = 1;
    public static final int CTRL_HASH_TYPE_IPV4_TCP = 1 << 1;
    public static final int CTRL_HASH_TYPE_IPV6 = 1 << 2;
    public static final int CTRL_HASH_TYPE_IPV6_TCP = 1 << 3;
    public static final int CTRL_HASH_ALGORITHM_NONE = 0;
    public static final int CTRL_HASH_ALGORITHM_TOEPLITZ = 1;

    public static final int CTRL_TYPE_INVALID = 0;
    public static final int CTRL_TYPE_GET_HASH_FLAGS = 1;
    public static final int CTRL_TYPE_SET_HASH_FLAGS = 2;
    public static final int CTRL_TYPE_SET_HASH_KEY = 3;
    public static final int CTRL_TYPE_GET_HASH_MAPPING_SIZE = 4;
    public static final int CTRL_TYPE_SET_HASH_MAPPING_SIZE = 5;
    public static final int CTRL_TYPE_SET_HASH_MAPPING = 6;
    public static final int CTRL_TYPE_SET_HASH_ALGORITHM = 7;
    public static final int CTRL_TYPE_GET_GREF_MAPPING_SIZE = 8;
    public static final int CTRL_TYPE_ADD_GREF_MAPPING = 9;
    public static final int CTRL_TYPE_DEL_GREF_MAPPING = 10;

    public static final int CTRL_STATUS_SUCCESS = 0;
    public static final int CTRL_STATUS_NOT_SUPPORTED = 1;
    public static final int CTRL_STATUS_INVALID_PARAMETER = 2;
    public static final int CTRL_STATUS_BUFFER_OVERFLOW = 3;

    /** {@code XEN_NETIF_CTRLF_GREF_readonly} in {@code struct xen_netif_gref.flags}. */
    public static final int CTRLF_GREF_READONLY = 1;
}
