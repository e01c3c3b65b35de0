package org.xenpv.xenstore.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A generated 1,000,000-line cxenstored trace, produced on the fly (never held in memory), is read
 * through the streaming parser and reconstruction; the record counts must be exact.
 */
class LargeTraceTest {

    static final int BLOCKS = 100_000;

    /** Ten lines per block: a transaction with one write, its watch event, and two diagnostics. */
    static final class Generator extends InputStream {
        private int block;
        private byte[] cur = new byte[0];
        private int pos;

        @Override
        public int read() {
            if (pos == cur.length && !fill()) {
                return -1;
            }
            return cur[pos++] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos == cur.length && !fill()) {
                return -1;
            }
            int n = Math.min(len, cur.length - pos);
            System.arraycopy(cur, pos, b, off, n);
            pos += n;
            return n;
        }

        private boolean fill() {
            if (block == BLOCKS) {
                return false;
            }
            String c = "0x" + Integer.toHexString(0x1000 + block % 4);
            String t = " 20261124 13:57:" + String.format("%02d", block % 60) + " ";
            String s = "IN " + c + t + "TRANSACTION_START ( )\n"
                    + "OUT " + c + t + "TRANSACTION_START (1 )\n"
                    + "IN " + c + t + "WRITE (/a/b" + block + " v" + block + ")\n"
                    + "OUT " + c + t + "WRITE (OK )\n"
                    + "OUT 0xw" + t + "WATCH_EVENT (/a/b" + block + " tok )\n"
                    + "IN " + c + t + "TRANSACTION_END (T )\n"
                    + "DESTROY transaction 0x77\n"
                    + "OUT " + c + t + "TRANSACTION_END (OK )\n"
                    + "wrl: dom    0      0  msec      10000 credit      -10000 reserve          0 discard\n"
                    + "Checking store ...\n";
            cur = s.getBytes(StandardCharsets.ISO_8859_1);
            pos = 0;
            block++;
            return true;
        }
    }

    @Test
    void millionLinesStreamWithExactCounts() throws Exception {
        AtomicLong lastProgress = new AtomicLong();
        TraceStats s = new TraceStats();
        long records = 0;
        try (TraceReader r = TraceReader.open(new Generator(), "gen.log", -1,
                TraceOptions.DEFAULT.withProgress((read, total) -> lastProgress.set(read)))) {
            while (r.hasNext()) {
                s.accept(r.next());
                records++;
            }
            assertThat(r.linesRead()).isEqualTo(10L * BLOCKS);
            assertThat(lastProgress.get()).isEqualTo(r.bytesRead()).isGreaterThan(40_000_000L);
        }
        assertThat(s.requests()).isEqualTo(3L * BLOCKS);
        assertThat(s.replies()).isEqualTo(3L * BLOCKS);
        assertThat(s.pairedReplies()).isEqualTo(3L * BLOCKS);
        assertThat(s.events()).isEqualTo(BLOCKS);
        assertThat(s.txStarted()).isEqualTo(BLOCKS);
        assertThat(s.txCommitted()).isEqualTo(BLOCKS);
        assertThat(s.noise()).containsEntry("wrl", (long) BLOCKS).containsEntry("check_store", (long) BLOCKS);
        assertThat(s.ambiguities()).isEqualTo(java.util.Map.of("tx_context", (long) BLOCKS));
        // 10 records per block (9 lines that are records + the ambiguity of the WRITE inside the transaction)
        assertThat(records).isEqualTo(11L * BLOCKS);
        assertThat(s.requestsByConnection()).hasSize(4);
    }
}
