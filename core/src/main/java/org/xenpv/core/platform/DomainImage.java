package org.xenpv.core.platform;

import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * What {@code xl save} writes for an HVM guest, as far as the simulation needs it: the domain's
 * configuration, its populated RAM (by gfn, page contents copied), its HVM params, and the
 * {@link Vm} whose vCPUs are suspended inside {@code SCHEDOP_shutdown} and continue, with return
 * value 0, in whatever domain the image is restored into. Xen-owned pages (shared info, grant
 * frames) are not part of it: the restored guest re-maps them, as a real one must.
 *
 * @param savedFrom domid the image was taken from
 * @param config    the saved domain's configuration (the domid is chosen again on restore)
 * @param ram       populated RAM frames, gfn to a 4096-byte copy
 * @param hvmParams HVM params by index (zero ones omitted)
 * @param vm        the suspended guest
 */
public record DomainImage(int savedFrom, DomainConfig config, NavigableMap<Long, byte[]> ram,
        Map<Integer, Long> hvmParams, Vm vm) {

    public DomainImage {
        ram = new TreeMap<>(ram);
        hvmParams = Map.copyOf(hvmParams);
    }

    /** Number of RAM frames in the image. */
    public int pages() {
        return ram.size();
    }
}
