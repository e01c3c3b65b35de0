package org.xenpv.xenstore.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link XsFrameDecoder}, {@link XsMessage} and {@link XsPayload} (xs_wire.h framing, §1.1). */
class XsFrameDecoderTest {

    @Test
    @DisplayName("READ /foo from xenstore-read is the 21 bytes observed by strace (§2)")
    void readFooBytes() {
        byte[] b = XsMessage.of(XsType.READ, 0, 0, "/foo").encode();
        assertThat(b).containsExactly(2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, '/', 'f', 'o', 'o', 0);
    }

    @Test
    @DisplayName("frames split at every byte boundary decode to the same messages")
    void incremental() throws Exception {
        List<XsMessage> sent = List.of(
                XsMessage.of(XsType.WATCH, 7, 0, "/a", "tok"),
                XsMessage.write(8, 3, "/bin", new byte[] {0, 1, 2, (byte) 0xff, 0}),
                new XsMessage(99, 0xffffffff, 0x80000000, new byte[0]),
                new XsMessage(XsType.WRITE.code(), 1, 0, new byte[4096]));
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (XsMessage m : sent) {
            all.writeBytes(m.encode());
        }
        byte[] stream = all.toByteArray();
        for (int chunk : new int[] {1, 3, 16, 17, 1000, stream.length}) {
            XsFrameDecoder d = new XsFrameDecoder();
            List<XsMessage> got = new ArrayList<>();
            for (int off = 0; off < stream.length; off += chunk) {
                got.addAll(d.decode(stream, off, Math.min(chunk, stream.length - off)));
            }
            assertThat(got).as("chunk %d", chunk).containsExactlyElementsOf(sent);
            assertThat(d.inFrame()).isFalse();
        }
    }

    @Test
    @DisplayName("len 4096 is accepted, 4097 fails as soon as the header is complete and stays failed")
    void payloadMax() throws Exception {
        XsFrameDecoder d = new XsFrameDecoder();
        byte[] ok = new XsMessage(XsType.WRITE.code(), 1, 0, new byte[4096]).encode();
        assertThat(d.decode(ByteBuffer.wrap(ok))).hasSize(1);
        byte[] bad = new XsHeader(XsType.WRITE.code(), 2, 0, 4097).toBytes();
        assertThat(d.decode(bad, 0, 15)).isEmpty();
        assertThatThrownBy(() -> d.decode(bad, 15, 1)).isInstanceOf(XsProtocolException.class)
                .satisfies(e -> assertThat(((XsProtocolException) e).reason()).isEqualTo(XsProtocolException.ERROR_PROTO));
        assertThatThrownBy(() -> d.decode(ok, 0, ok.length)).isInstanceOf(XsProtocolException.class);
    }

    @Test
    @DisplayName("messages are binary-safe values: equality by content, payload copied in and out")
    void messageValue() {
        byte[] p = {1, 0, 2};
        XsMessage m = new XsMessage(XsType.READ.code(), 1, 2, p);
        p[0] = 9;
        assertThat(m.payloadByte(0)).isEqualTo((byte) 1);
        m.payload()[1] = 7;
        assertThat(m.payloadByte(1)).isZero();
        assertThat(m).isEqualTo(new XsMessage(XsType.READ, 1, 2, new byte[] {1, 0, 2})).hasSameHashCodeAs(
                new XsMessage(XsType.READ, 1, 2, new byte[] {1, 0, 2}));
        assertThat(m).isNotEqualTo(new XsMessage(XsType.READ, 1, 3, new byte[] {1, 0, 2}));
        assertThat(m.toString()).isEqualTo("READ(req=1,tx=2) \"\u0001 \u0002\"");
        assertThat(m.withIds(5, 6).header()).isEqualTo(new XsHeader(XsType.READ.code(), 5, 6, 3));
    }

    @Test
    @DisplayName("payload helpers follow get_strings/onearg/xs_count_strings")
    void payloadHelpers() {
        byte[] p = XsPayload.bytes("a\0bc\0trailing");
        assertThat(XsPayload.split(p)).containsExactly("a", "bc");
        assertThat(XsPayload.countNuls(p)).isEqualTo(2);
        assertThat(XsPayload.oneArg(XsPayload.bytes("/x\0"))).isEqualTo("/x");
        assertThat(XsPayload.oneArg(XsPayload.bytes("/x"))).isNull();
        assertThat(XsPayload.oneArg(XsPayload.bytes("/x\0\0"))).isNull();
        assertThat(XsPayload.oneArg(new byte[0])).isNull();
        assertThat(XsPayload.oneArg(XsPayload.bytes("\0"))).isEmpty();
        assertThat(XsPayload.pathAndValue("/p", new byte[] {0, 'v'})).containsExactly('/', 'p', 0, 0, 'v');
        assertThat(XsPayload.printable(XsPayload.bytes("a\0b\0"))).isEqualTo("a b ");
        assertThat(XsPayload.strings("\u00ff")).containsExactly((byte) 0xff, 0);
    }
}
