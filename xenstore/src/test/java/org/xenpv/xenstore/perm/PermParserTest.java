package org.xenpv.xenstore.perm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.xenpv.xenstore.store.Errno;
import org.xenpv.xenstore.wire.XsPayload;

/** {@code xs_strings_to_perms()}, {@code xs_perm_to_string()} and {@code perm_for_conn()}. */
class PermParserTest {

    private static PermParser.Result parse(String... strings) {
        byte[] b = XsPayload.strings(strings);
        return PermParser.parse(b, 0, strings.length);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "n0, n0", "r5, r5", "w12, w12", "b7, b7", "r0x10, r16", "r010, r8", "r-1, r-1", "r+3, r3", "r 4, r4",
        "r4294967295, r-1", "r4294967296, r0", "r99999999999999999999, r-1",
    })
    @DisplayName("letters and strtol(…, 0) numbers, printed with %i")
    void roundTrip(String in, String out) {
        PermParser.Result r = parse(in);
        assertThat(r.ok()).isTrue();
        assertThat(r.perms().get(0).toWireString()).isEqualTo(out);
    }

    @ParameterizedTest
    @CsvSource({"x1", "n", "N0", "r1x", "r0x", "'r1 '", "''"})
    @DisplayName("bad entries are EINVAL")
    void invalid(String in) {
        PermParser.Result r = parse(in);
        assertThat(r.ok()).isFalse();
        assertThat(r.errno()).isEqualTo(Errno.EINVAL);
    }

    @Test
    @DisplayName("overflow sets ERANGE like strtol")
    void erange() {
        assertThat(parse("r99999999999999999999").erange()).isTrue();
        assertThat(parse("r5").erange()).isFalse();
    }

    @Test
    @DisplayName("owner, target holder and privileged callers get everything; later entries decide; entry 0 is the default")
    void permFor() {
        NodePerms p = NodePerms.of(new Perm(5, Perm.NONE), new Perm(6, Perm.READ), new Perm(7, Perm.WRITE | Perm.IGNORE));
        assertThat(PermPolicy.permFor(acc(0, true, null), p)).isEqualTo(PermPolicy.ALL);
        assertThat(PermPolicy.permFor(acc(5, false, null), p)).isEqualTo(PermPolicy.ALL);
        assertThat(PermPolicy.permFor(acc(9, false, 5), p)).isEqualTo(PermPolicy.ALL);
        assertThat(PermPolicy.permFor(acc(6, false, null), p)).isEqualTo(Perm.READ);
        assertThat(PermPolicy.permFor(acc(9, false, 6), p)).isEqualTo(Perm.READ);
        assertThat(PermPolicy.permFor(acc(7, false, null), p)).as("ignored entry").isEqualTo(Perm.NONE);
        assertThat(PermPolicy.permFor(acc(8, false, null), p)).isEqualTo(Perm.NONE);
        assertThat(NodePerms.of(new Perm(0, Perm.READ)).toWire()).containsExactly('r', '0', 0);
        assertThat(new NodePerms(List.of(new Perm(1, Perm.READ | Perm.WRITE | Perm.IGNORE))).toString()).isEqualTo("b1(ignored)");
    }

    @Test
    @DisplayName("atoi as glibc: leading blanks, sign, stops at the first non-digit")
    void atoi() {
        assertThat(PermParser.atoi("42")).isEqualTo(42);
        assertThat(PermParser.atoi(" -7x")).isEqualTo(-7);
        assertThat(PermParser.atoi("abc")).isZero();
        assertThat(PermParser.atoi("4294967295")).isEqualTo(-1);
        assertThat(PermParser.atoi("")).isZero();
    }

    private static Accessor acc(int domid, boolean priv, Integer target) {
        return new Accessor() {
            public int accessorDomid() {
                return domid;
            }

            public boolean accessorPrivileged() {
                return priv;
            }

            public Integer accessorTarget() {
                return target;
            }
        };
    }
}
