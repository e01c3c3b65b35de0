package org.xenpv.core.ring.blkif;

import java.util.ArrayList;
import java.util.List;
import org.xenpv.core.mem.MemoryView;
import org.xenpv.core.ring.EntryCodec;
import org.xenpv.core.ring.RingLayout;

/**
 * The two x86 blkif ABIs ({@code protocol} node: {@code XEN_IO_PROTO_ABI_X86_64} / {@code _X86_32}). They
 * differ only in the alignment of {@code uint64_t} (8 vs 4), which moves every field after {@code handle}
 * and shrinks the structures (reference §5):
 *
 * <pre>
 *                       x86_64                         x86_32
 * blkif_request         112: id 8, sector 16, seg 24   108: id 4, sector 12, seg 20
 * blkif_request_discard  32: nr_sectors 24              28: nr_sectors 20
 * blkif_request_indirect 64: handle 24, grefs 28        64: handle 20, grefs 24, pad 56
 * blkif_response         16                             12
 * </pre>
 *
 * Ring sizes per {@code ring-page-order} 0..4 are 32/64/128/256/512 on both.
 */
public enum BlkifAbi {

    X86_64("x86_64-abi", 8, 112, 32, 16),
    X86_32("x86_32-abi", 4, 108, 28, 12);

    private final String protocol;
    private final int idOffset;
    private final int sectorOffset;
    private final int segOffset;
    private final int requestSize;
    private final int discardSize;
    private final int responseSize;
    private final EntryCodec<BlkifRequest> requestCodec;
    private final EntryCodec<BlkifResponse> responseCodec;
    private final RingLayout<BlkifRequest, BlkifResponse> layout;

    BlkifAbi(String protocol, int idOffset, int requestSize, int discardSize, int responseSize) {
        this.protocol = protocol;
        this.idOffset = idOffset;
        this.sectorOffset = idOffset + 8;
        this.segOffset = idOffset + 16;
        this.requestSize = requestSize;
        this.discardSize = discardSize;
        this.responseSize = responseSize;
        this.requestCodec = new RequestCodec(this);
        this.responseCodec = new ResponseCodec(responseSize);
        this.layout = new RingLayout<>("blkif", requestCodec, responseCodec);
    }

    /** The {@code protocol} value a frontend writes: {@code "x86_64-abi"} or {@code "x86_32-abi"}. */
    public String protocol() {
        return protocol;
    }

    /** The ABI named by a frontend's {@code protocol} node, or {@code null} when unknown. */
    public static BlkifAbi fromProtocol(String protocol) {
        for (BlkifAbi a : values()) {
            if (a.protocol.equals(protocol)) {
                return a;
            }
        }
        return null;
    }

    /** {@code offsetof(blkif_request, id)} (also of the discard and indirect structures). */
    public int idOffset() {
        return idOffset;
    }

    /** {@code offsetof(blkif_request, sector_number)}. */
    public int sectorOffset() {
        return sectorOffset;
    }

    /** {@code offsetof(blkif_request, seg)}. */
    public int segOffset() {
        return segOffset;
    }

    /** {@code sizeof(struct blkif_request)}: the request side of the slot. */
    public int requestSize() {
        return requestSize;
    }

    /** {@code sizeof(struct blkif_request_discard)}. */
    public int discardSize() {
        return discardSize;
    }

    /** {@code sizeof(struct blkif_request_indirect)}: 64 on both. */
    public int indirectSize() {
        return 64;
    }

    /** {@code sizeof(struct blkif_response)}. */
    public int responseSize() {
        return responseSize;
    }

    public EntryCodec<BlkifRequest> requestCodec() {
        return requestCodec;
    }

    public EntryCodec<BlkifResponse> responseCodec() {
        return responseCodec;
    }

    /** {@code DEFINE_RING_TYPES(blkif, struct blkif_request, struct blkif_response)} for this ABI. */
    public RingLayout<BlkifRequest, BlkifResponse> layout() {
        return layout;
    }

    private static final class RequestCodec implements EntryCodec<BlkifRequest> {
        private final BlkifAbi abi;

        RequestCodec(BlkifAbi abi) {
            this.abi = abi;
        }

        @Override
        public int size() {
            return abi.requestSize;
        }

        @Override
        public BlkifRequest decode(MemoryView v, int off) {
            int op = v.getUnsignedByte(off);
            long id = v.getLong(off + abi.idOffset);
            long sector = v.getLong(off + abi.sectorOffset);
            switch (op) {
                case Blkif.OP_READ, Blkif.OP_WRITE, Blkif.OP_WRITE_BARRIER, Blkif.OP_FLUSH_DISKCACHE -> {
                    int nr = v.getUnsignedByte(off + 1);
                    int n = Math.min(nr, Blkif.MAX_SEGMENTS_PER_REQUEST);
                    List<BlkifSegment> segs = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        segs.add(BlkifSegment.CODEC.decode(v, off + abi.segOffset + i * BlkifSegment.SIZE));
                    }
                    return new BlkifRequest.ReadWrite(op, nr, v.getUnsignedShort(off + 2), id, sector, segs);
                }
                case Blkif.OP_DISCARD -> {
                    return new BlkifRequest.Discard(v.getUnsignedByte(off + 1), v.getUnsignedShort(off + 2), id, sector,
                            v.getLong(off + abi.sectorOffset + 8));
                }
                case Blkif.OP_INDIRECT -> {
                    List<Integer> grefs = new ArrayList<>(Blkif.MAX_INDIRECT_PAGES_PER_REQUEST);
                    int g = off + abi.sectorOffset + 12;
                    for (int i = 0; i < Blkif.MAX_INDIRECT_PAGES_PER_REQUEST; i++) {
                        grefs.add(v.getInt(g + 4 * i));
                    }
                    return new BlkifRequest.Indirect(v.getUnsignedByte(off + 1), v.getUnsignedShort(off + 2),
                            v.getUnsignedShort(off + abi.sectorOffset + 8), id, sector, grefs);
                }
                default -> {
                    return new BlkifRequest.Other(op, id, v.getBytes(off, abi.requestSize));
                }
            }
        }

        @Override
        public void encode(MemoryView v, int off, BlkifRequest req) {
            switch (req) {
                case BlkifRequest.ReadWrite r -> {
                    v.putByte(off, (byte) r.operation());
                    v.putByte(off + 1, (byte) r.nrSegments());
                    v.putShort(off + 2, (short) r.handle());
                    v.putLong(off + abi.idOffset, r.id());
                    v.putLong(off + abi.sectorOffset, r.sectorNumber());
                    List<BlkifSegment> segs = r.segments();
                    for (int i = 0; i < segs.size(); i++) {
                        BlkifSegment.CODEC.encode(v, off + abi.segOffset + i * BlkifSegment.SIZE, segs.get(i));
                    }
                }
                case BlkifRequest.Discard d -> {
                    v.putByte(off, (byte) Blkif.OP_DISCARD);
                    v.putByte(off + 1, (byte) d.flag());
                    v.putShort(off + 2, (short) d.handle());
                    v.putLong(off + abi.idOffset, d.id());
                    v.putLong(off + abi.sectorOffset, d.sectorNumber());
                    v.putLong(off + abi.sectorOffset + 8, d.nrSectors());
                }
                case BlkifRequest.Indirect i -> {
                    v.putByte(off, (byte) Blkif.OP_INDIRECT);
                    v.putByte(off + 1, (byte) i.indirectOp());
                    v.putShort(off + 2, (short) i.nrSegments());
                    v.putLong(off + abi.idOffset, i.id());
                    v.putLong(off + abi.sectorOffset, i.sectorNumber());
                    v.putShort(off + abi.sectorOffset + 8, (short) i.handle());
                    List<Integer> grefs = i.indirectGrefs();
                    for (int k = 0; k < grefs.size(); k++) {
                        v.putInt(off + abi.sectorOffset + 12 + 4 * k, grefs.get(k));
                    }
                }
                case BlkifRequest.Other o -> {
                    byte[] raw = o.raw();
                    if (raw.length > abi.requestSize) {
                        throw new IllegalArgumentException("raw request of " + raw.length + " bytes exceeds sizeof(blkif_request) "
                                + abi.requestSize + " (" + abi.protocol + ")");
                    }
                    v.putBytes(off, raw, 0, raw.length);
                    v.putByte(off, (byte) o.operation());
                    v.putLong(off + abi.idOffset, o.id());
                }
            }
        }
    }

    private record ResponseCodec(int size) implements EntryCodec<BlkifResponse> {
        @Override
        public BlkifResponse decode(MemoryView v, int off) {
            return new BlkifResponse(v.getLong(off), v.getUnsignedByte(off + 8), v.getShort(off + 10));
        }

        @Override
        public void encode(MemoryView v, int off, BlkifResponse r) {
            v.putLong(off, r.id());
            v.putByte(off + 8, (byte) r.operation());
            v.putShort(off + 10, (short) r.status());
        }
    }
}
