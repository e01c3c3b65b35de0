package org.xenpv.core.ring.blkif;

import org.xenpv.core.ring.Fields;
import org.xenpv.core.ring.Unsigned;

/**
 * {@code struct blkif_response} ({@code io/blkif.h}): {@code id}@0, {@code operation}@8, {@code status}@10
 * (int16, {@code BLKIF_RSP_*}); 16 bytes on x86_64, 12 on x86_32 ({@link BlkifAbi#responseCodec()}).
 */
public record BlkifResponse(@Unsigned long id, int operation, int status) {

    public BlkifResponse {
        Fields.u8("operation", operation);
        Fields.s16("status", status);
    }
}
