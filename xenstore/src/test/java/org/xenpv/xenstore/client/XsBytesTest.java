package org.xenpv.xenstore.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class XsBytesTest {

    @Test
    void quoteAndUnescapeRoundTripEveryByte() {
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) {
            all[i] = (byte) i;
        }
        String q = XsBytes.quote(all);
        assertThat(q).startsWith("\"\\0\\x01").contains("\\t\\n\\x0b").contains(" !\\\"#").endsWith("\\xff\"");
        assertThat(XsBytes.unescape(q.substring(1, q.length() - 1))).isEqualTo(all);
    }

    @Test
    void repeatAndSpaceEscapes() {
        assertThat(XsBytes.unescape("a\\{3:xy}b\\s")).isEqualTo(XsBytes.latin1("axyxyxyb "));
        assertThat(XsBytes.unescape("\\{2:\\{2:z}\\0}")).isEqualTo(XsBytes.latin1("zz\0zz\0"));
        assertThat(XsBytes.unescape("\\{4089:v}")).hasSize(4089);
    }

    @Test
    void badEscapesNameThePosition() {
        assertThatThrownBy(() -> XsBytes.unescape("ab\\q")).hasMessageContaining("\\q at 2");
        assertThatThrownBy(() -> XsBytes.unescape("\\xZ1")).hasMessageContaining("bad hex digits 'Z1'");
        assertThatThrownBy(() -> XsBytes.unescape("x\\")).hasMessageContaining("dangling backslash");
        assertThatThrownBy(() -> XsBytes.unescape("\\{3:abc")).hasMessageContaining("not closed");
    }

    @Test
    void stringsAreNulTerminatedAndHexParses() {
        assertThat(XsBytes.strings("/a", "tok")).isEqualTo(XsBytes.latin1("/a\0tok\0"));
        assertThat(XsBytes.parseHex("0200 0000 ff")).containsExactly(2, 0, 0, 0, 0xff);
        assertThat(XsBytes.hex(new byte[] {(byte) 0xab, 1})).isEqualTo("ab01");
        assertThatThrownBy(() -> XsBytes.parseHex("abc")).hasMessageContaining("odd number");
    }
}
