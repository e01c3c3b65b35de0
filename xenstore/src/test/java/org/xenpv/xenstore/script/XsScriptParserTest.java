package org.xenpv.xenstore.script;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.xenpv.xenstore.client.XsBytes;

class XsScriptParserTest {

    private static XsScript.Send send(String script) {
        List<XsScript.Step> steps = XsScriptParser.parse("t", "conn a dom0\n" + script).steps();
        return (XsScript.Send) steps.get(steps.size() - 1);
    }

    private static String payload(String script) {
        return new String(send(script).payload(), java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    @Test
    void typedRequestsNulTerminateEveryArgumentButWritesValue() {
        assertThat(payload("a: READ /t/x")).isEqualTo("/t/x\0");
        assertThat(payload("a: WATCH /t tok")).isEqualTo("/t\0tok\0");
        assertThat(payload("a: WRITE /t/x hello")).isEqualTo("/t/x\0hello");
        assertThat(payload("a: WRITE /t/x")).isEqualTo("/t/x\0");
        assertThat(payload("a: WRITE /t/x \"two words\\0\\xff\"")).isEqualTo("/t/x\0two words\0\u00ff");
        assertThat(payload("a: TRANSACTION_START")).isEqualTo("\0");
        assertThat(payload("a: SET_PERMS /t n0 r5")).isEqualTo("/t\0n0\0r5\0");
        assertThat(payload("a: READ \"\"")).isEqualTo("\0");
        assertThat(send("a: DEBUG help").type()).isZero();
        assertThat(send("a: 99 x").type()).isEqualTo(99);
    }

    @Test
    void sendGivesTheExactHeaderAndPayload() {
        XsScript.Send s = send("a@t1: SEND READ req=7 len=4097 \"/t\" hex:00ff");
        assertThat(s.type()).isEqualTo(2);
        assertThat(s.reqId()).isEqualTo(7);
        assertThat(s.len()).isEqualTo(4097);
        assertThat(s.tx()).isEqualTo("t1");
        assertThat(s.payload()).isEqualTo(XsBytes.latin1("/t\0\u00ff"));
        XsScript.Send u = send("a: SEND 4294967295 tx=12345 \"\"");
        assertThat(u.type()).isEqualTo(-1);
        assertThat(u.tx()).isEqualTo("12345");
        assertThat(u.payload()).isEmpty();
    }

    @Test
    void transactionBindingAndModifiers() {
        XsScript.Send s = send("a: TRANSACTION_START -> t1");
        assertThat(s.bindTx()).isEqualTo("t1");
        assertThat(s.payload()).containsExactly(0);
        assertThat(send("a: nowait SEND WRITE len=4097 \"/x\\0\"").noWait()).isTrue();
        XsScript.Raw r = (XsScript.Raw) XsScriptParser.parse("t", "conn a dom0\na: replies=2 RAW hex:0102 \"\\{3:z}\"")
                .steps().get(1);
        assertThat(r.replies()).isEqualTo(2);
        assertThat(r.bytes()).isEqualTo(XsBytes.latin1("\u0001\u0002zzz"));
        // a quoted "->" is a value, not a binding
        assertThat(send("a: WRITE /v \"->\"").bindTx()).isNull();
    }

    @Test
    void configAndConnections() {
        XsScript s = XsScriptParser.parse("t", """
                # comment
                daemon domains 0 5 7:dying
                daemon quota watch-nb=3 entry-nb=10
                conn a dom0
                conn g domain 5
                close g
                """);
        assertThat(s.config().domains()).isEqualTo("0 5 7:dying");
        assertThat(s.config().quotas()).containsEntry("watch-nb", 3L).containsEntry("entry-nb", 10L);
        assertThat(s.steps()).hasSize(3);
        assertThat(((XsScript.Conn) s.steps().get(1)).domid()).isEqualTo(5);
        assertThat(((XsScript.Conn) s.steps().get(0)).isGuest()).isFalse();
    }

    @Test
    void errorsNameScriptAndLine() {
        assertThatThrownBy(() -> XsScriptParser.parse("s", "conn a dom0\n\nb: READ /x"))
                .hasMessage("s:3: connection 'b' not declared with 'conn'");
        assertThatThrownBy(() -> XsScriptParser.parse("s", "conn a dom0\na: FROB /x"))
                .hasMessageStartingWith("s:2: unknown message type 'FROB'");
        assertThatThrownBy(() -> XsScriptParser.parse("s", "conn a dom0\na: READ \"/x"))
                .hasMessage("s:2: unterminated quote");
        assertThatThrownBy(() -> XsScriptParser.parse("s", "conn a dom0\na: READ /x\\q"))
                .hasMessageStartingWith("s:2: unknown escape \\q");
        assertThatThrownBy(() -> XsScriptParser.parse("s", "conn a dom0\ndaemon domains 0"))
                .hasMessage("s:2: daemon lines must come before any step");
        assertThatThrownBy(() -> XsScriptParser.parse("s", "daemon quota bogus=1"))
                .hasMessageStartingWith("s:1: bad quota 'bogus=1'");
        assertThatThrownBy(() -> XsScriptParser.parse("s", "conn a dom0\na: WRITE /x y z"))
                .hasMessageStartingWith("s:2: WRITE takes a path and an optional value");
        assertThatThrownBy(() -> XsScriptParser.parse("s", "conn a dom0\na: SEND READ len=99999999999 \"\""))
                .hasMessageStartingWith("s:2: number out of u32 range");
        assertThatThrownBy(() -> XsScriptParser.parse("s", "conn a dom0\nconn a dom0"))
                .hasMessage("s:2: connection 'a' declared twice");
    }

    @Test
    void everyCommittedScriptParses() {
        assertThat(XsScriptGoldens.names()).hasSizeGreaterThanOrEqualTo(15);
        for (String n : XsScriptGoldens.names()) {
            assertThat(XsScriptGoldens.load(n).steps()).as(n).isNotEmpty();
        }
    }
}
