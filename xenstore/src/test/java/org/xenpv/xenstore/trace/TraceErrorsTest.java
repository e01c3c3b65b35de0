package org.xenpv.xenstore.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.xenpv.xenstore.trace.Traces.*;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Malformed input: {@code file:line: what: "text"}, and lenient mode skipping and counting. */
class TraceErrorsTest {

    private static final String IN = "IN 0x1 20261124 13:57:43 READ (/t )\n";
    private static final String OUT = "OUT 0x1 20261124 13:57:43 ERROR (ENOENT )\n";

    @Test
    void garbageLineNamesFileLineAndText() {
        assertThatThrownBy(() -> cx(IN + "hello world\n" + OUT))
                .isInstanceOf(TraceSyntaxException.class)
                .hasMessage("t.log:2: unrecognized cxenstored trace line: \"hello world\"");
    }

    @Test
    void undetectableFormat() {
        assertThatThrownBy(() -> read("hello\n", TraceOptions.DEFAULT))
                .hasMessageStartingWith("t.log:1: cannot tell the trace format")
                .hasMessageEndingWith(": \"hello\"");
        assertThatThrownBy(() -> read("", TraceOptions.DEFAULT)).hasMessageContaining("empty file");
    }

    @Test
    void binaryFile() {
        byte[] bin = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, '\n'};
        assertThatThrownBy(() -> read(bin, TraceOptions.DEFAULT)).hasMessageContaining("t.log:1: NUL byte");
        assertThatThrownBy(() -> read(bin, TraceOptions.DEFAULT.withFormat(TraceFormat.CXENSTORED)))
                .hasMessageContaining("t.log:1: NUL byte at column 8");
        byte[] noNewline = new byte[LineSource.MAX_LINE + 10];
        java.util.Arrays.fill(noNewline, (byte) 'a');
        assertThatThrownBy(() -> read(noNewline, TraceOptions.DEFAULT.withFormat(TraceFormat.CXENSTORED)))
                .hasMessageContaining("t.log:1: line longer than 1048576 bytes");
    }

    @Test
    void truncatedTrace() {
        assertThatThrownBy(() -> cx(IN + "IN 0x1 20261124 13:57:43 WRITE (/t/big aaaa"))
                .hasMessageStartingWith("t.log:2: message payload not closed by ')' before the end of the file");
        assertThatThrownBy(() -> cx("IN 0x1 20261124 13:57:43 WRITE (/t/x aaaa\n" + IN))
                .hasMessageStartingWith("t.log:1: message payload not closed by ')' before the next record at line 2");
    }

    @Test
    void mixedFormats() {
        assertThatThrownBy(() -> cx(IN + "[20261124T13:51:00.705Z]  A6           w event   /t tokA \n"))
                .hasMessageContaining("t.log:2: unrecognized cxenstored trace line (it looks like an oxenstored "
                        + "access log line: mixed formats?)");
        assertThatThrownBy(() -> ox("[20261124T13:51:00.705Z]  A6           w event   /t tokA \n" + IN))
                .hasMessageContaining("t.log:2: not an oxenstored access log line")
                .hasMessageContaining("it looks like a cxenstored trace line");
    }

    @Test
    void badFields() {
        assertThatThrownBy(() -> cx("IN 0x1 20261399 13:57:43 READ (/t )\n")).hasMessageContaining("t.log:1: bad timestamp");
        assertThatThrownBy(() -> cx("IN 0x1 20261124 13:57:43 FROB (/t )\n"))
                .hasMessageContaining("t.log:1: unknown message type 'FROB'");
        assertThatThrownBy(() -> ox("[20261124T13:51:00.705Z]  A6           frob      /t\n"))
                .hasMessageContaining("t.log:1: unknown operation 'frob'");
        assertThatThrownBy(() -> ox("[20261124T13:51:00.705Z]  Q6           write     /t\n"))
                .hasMessageContaining("t.log:1: bad connection name 'Q6'");
        assertThatThrownBy(() -> ox("[20261124T13:51:00.705Z]  A6           write     /t \\q\n"))
                .hasMessageContaining("unknown escape");
        assertThatThrownBy(() -> cx("IN 0x1 20261124 13:57:43 WRITE (/t " + "a".repeat(5000) + ")\n"))
                .hasMessageContaining("longer than 4096 bytes");
    }

    @Test
    void jsonErrors() {
        TraceOptions j = TraceOptions.DEFAULT.withFormat(TraceFormat.JSONL);
        assertThatThrownBy(() -> read("{\"kind\":\"msg\"}\n", j)).hasMessageStartingWith("t.log:1: missing \"dir\"");
        assertThatThrownBy(() -> read("{\"kind\":\"msg\",\"dir\":\"in\",\"conn\":\"c\",\"payload\":\"!!\"}\n", j))
                .hasMessageContaining("t.log:1: \"payload\" is not base64");
        assertThatThrownBy(() -> read("{\"kind\":\"msg\"\n", j)).hasMessageStartingWith("t.log:1: not a JSON object");
        assertThatThrownBy(() -> read("{\"kind\":\"bogus\"}\n", j)).hasMessage("t.log:1: unknown record kind 'bogus': "
                + "\"{\\\"kind\\\":\\\"bogus\\\"}\"");
    }

    @Test
    void longOffendingTextIsCut() {
        String junk = "z".repeat(500);
        assertThatThrownBy(() -> cx(junk + "\n")).hasMessageEndingWith("... (500 chars)");
    }

    @Test
    void lenientSkipsAndCounts() throws Exception {
        String text = IN + "hello\n" + OUT + "garbage again\n" + "IN 0x1 20261399 13:57:43 READ (/t )\n" + IN + OUT;
        try (TraceReader r = TraceReader.open(stream(text), "t.log", -1,
                TraceOptions.DEFAULT.withFormat(TraceFormat.CXENSTORED).withLenient(true))) {
            List<TraceRecord> rs = new java.util.ArrayList<>();
            r.forEachRemaining(rs::add);
            assertThat(only(rs, Request.class)).hasSize(2);
            assertThat(only(rs, Reply.class)).allSatisfy(p -> assertThat(p.request()).isNotNull());
            assertThat(r.skipped()).isEqualTo(3);
            assertThat(r.skipMessages()).hasSize(3).first().asString().startsWith("t.log:2:");
        }
    }
}
