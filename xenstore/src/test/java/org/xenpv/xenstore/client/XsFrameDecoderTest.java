package org.xenpv.xenstore.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xenpv.xenstore.wire.XsHeader;

class XsFrameDecoderTest {

    @Test
    void reassemblesMessagesSplitAtEveryByte() throws Exception {
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        s.writeBytes(XsSocketMessage.of(15, 0, 0, XsBytes.strings("/t", "tok")).toBytes());
        s.writeBytes(XsSocketMessage.of(11, 7, 3, XsBytes.strings("OK")).toBytes());
        s.writeBytes(XsSocketMessage.of(2, 8, 0, new byte[0]).toBytes());
        s.writeBytes(XsSocketMessage.of(2, 9, 0, new byte[4096]).toBytes());
        byte[] all = s.toByteArray();
        XsFrameDecoder d = new XsFrameDecoder("test");
        List<XsSocketMessage> out = new ArrayList<>();
        for (byte b : all) {
            out.addAll(d.feed(new byte[] {b}, 0, 1));
        }
        assertThat(out).extracting(XsSocketMessage::reqId).containsExactly(0, 7, 8, 9);
        assertThat(out.get(0).stringList()).containsExactly("/t", "tok");
        assertThat(out.get(1).txId()).isEqualTo(3);
        assertThat(out.get(3).payload()).hasSize(4096);
        assertThat(d.pending()).isZero();
    }

    @Test
    void oversizeHeaderIsAProtocolErrorForever() {
        XsFrameDecoder d = new XsFrameDecoder("conn a");
        byte[] h = new XsHeader(2, 5, 0, 4097).toBytes();
        assertThatThrownBy(() -> d.feed(h, 0, h.length)).isInstanceOf(XsProtocolException.class)
                .hasMessageContaining("conn a").hasMessageContaining("4097").hasMessageContaining("req_id 5");
        assertThatThrownBy(() -> d.feed(new byte[1], 0, 1)).isInstanceOf(XsProtocolException.class);
    }

    @Test
    void negativeLenIsReadAsUnsigned() {
        XsFrameDecoder d = new XsFrameDecoder("x");
        byte[] h = new XsHeader(2, 1, 0, -1).toBytes();
        assertThatThrownBy(() -> d.feed(h, 0, h.length)).hasMessageContaining("4294967295");
    }
}
