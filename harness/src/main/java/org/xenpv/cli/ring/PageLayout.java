package org.xenpv.cli.ring;

import java.util.Arrays;
import java.util.stream.Collectors;
import org.xenpv.core.ring.RingLayout;
import org.xenpv.core.ring.blkif.BlkifAbi;
import org.xenpv.core.ring.blkif.BlkifRequest;
import org.xenpv.core.ring.blkif.BlkifResponse;
import org.xenpv.core.ring.netif.Netif;
import org.xenpv.core.ring.netif.NetifCtrlRequest;
import org.xenpv.core.ring.netif.NetifCtrlResponse;
import org.xenpv.core.ring.netif.NetifRxRequest;
import org.xenpv.core.ring.netif.NetifRxResponse;
import org.xenpv.core.ring.netif.NetifTxRequest;
import org.xenpv.core.ring.netif.NetifTxResponse;

/** The page layouts {@code xenpv ring} understands, by their command-line names. */
enum PageLayout {
    NETIF_TX("netif-tx", Netif.TX, NetifTxRequest.class, NetifTxResponse.class, Extras.IN_REQUESTS),
    NETIF_RX("netif-rx", Netif.RX, NetifRxRequest.class, NetifRxResponse.class, Extras.IN_RESPONSES),
    NETIF_CTRL("netif-ctrl", Netif.CTRL, NetifCtrlRequest.class, NetifCtrlResponse.class, Extras.NONE),
    BLKIF("blkif", BlkifAbi.X86_64.layout(), BlkifRequest.class, BlkifResponse.class, Extras.NONE),
    BLKIF_X86_32("blkif-x86_32", BlkifAbi.X86_32.layout(), BlkifRequest.class, BlkifResponse.class, Extras.NONE),
    XENSTORE("xenstore", null, null, null, Extras.NONE),
    CONSOLE("console", null, null, null, Extras.NONE);

    /** Where netif extra-info segments can sit. */
    enum Extras { NONE, IN_REQUESTS, IN_RESPONSES }

    final String cliName;
    final RingLayout<?, ?> ring;
    final Class<?> requestType;
    final Class<?> responseType;
    final Extras extras;

    PageLayout(String cliName, RingLayout<?, ?> ring, Class<?> requestType, Class<?> responseType, Extras extras) {
        this.cliName = cliName;
        this.ring = ring;
        this.requestType = requestType;
        this.responseType = responseType;
        this.extras = extras;
    }

    /** Whether this is an {@code io/ring.h} shared ring (else a byte-stream ring page). */
    boolean isSring() {
        return ring != null;
    }

    static String names() {
        return Arrays.stream(values()).map(l -> l.cliName).collect(Collectors.joining(", "));
    }

    /** The layout called {@code name}, or {@code null}. */
    static PageLayout byName(String name) {
        for (PageLayout l : values()) {
            if (l.cliName.equals(name)) {
                return l;
            }
        }
        return null;
    }
}
