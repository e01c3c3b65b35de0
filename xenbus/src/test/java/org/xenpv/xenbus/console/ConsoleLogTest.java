package org.xenpv.xenbus.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xenpv.core.ring.console.ConsoleRing;
import org.xenpv.xenbus.log.LogLevel;

class ConsoleLogTest {

    private ConsoleWorld w;

    @AfterEach
    void close() {
        if (w != null) {
            w.close();
        }
    }

    @Test
    void offByDefault() {
        w = new ConsoleWorld(1, 0, true);
        w.console.acquire();
        ConsoleLog cl = new ConsoleLog(w.kernel, w.xenbusLog, w.console, LogLevel.NONE);
        assertThat(cl.attach()).isFalse();
        w.run(() -> w.xenbusLog.log(LogLevel.CRITICAL, "boom\n"));
        assertThat(w.drain()).isEmpty();
        w.console.release();
        w.evtchn.close();
    }

    @Test
    void newlinesBecomeCrLfAndOnlyTheMaskedLevelsGo() {
        w = new ConsoleWorld(2, 0, true);
        w.console.acquire();
        ConsoleLog cl = new ConsoleLog(w.kernel, w.xenbusLog, w.console, LogLevel.mask(LogLevel.INFO, LogLevel.ERROR));
        assertThat(cl.attach()).isTrue();
        w.run(() -> {
            w.xenbusLog.log(LogLevel.INFO, "XENBUS: a\nb\n");
            w.xenbusLog.log(LogLevel.TRACE, "trace\n");
            w.xenbusLog.log(LogLevel.ERROR, "fail1 (c0000001)\n");
        });
        assertThat(w.drain()).isEqualTo("XENBUS: a\r\nb\r\nfail1 (c0000001)\r\n");
        assertThat(cl.bytesDropped()).isZero();
        cl.detach();
        w.run(() -> w.xenbusLog.log(LogLevel.INFO, "after\n"));
        assertThat(w.drain()).isEmpty();
        w.console.release();
        w.evtchn.close();
    }

    @Test
    void aFullRingDropsAndCounts() {
        w = new ConsoleWorld(3, 0, true);
        w.console.acquire();
        ConsoleLog cl = new ConsoleLog(w.kernel, w.xenbusLog, w.console, LogLevel.mask(LogLevel.INFO));
        cl.attach();
        String line = "x".repeat(199) + "\n"; // 201 bytes on the console
        w.run(() -> {
            for (int i = 0; i < 12; i++) {
                w.xenbusLog.log(LogLevel.INFO, line);
            }
        });
        assertThat(cl.bytesWritten()).isEqualTo(ConsoleRing.OUT_SIZE);
        assertThat(cl.bytesDropped()).isEqualTo(12 * 201 - ConsoleRing.OUT_SIZE);
        assertThat(cl.messagesDropped()).as("the 11th is cut, the 12th gets nothing").isEqualTo(1);
        assertThat(w.drain()).hasSize(ConsoleRing.OUT_SIZE).startsWith("x".repeat(199) + "\r\n");
        cl.detach();
        w.console.release();
        w.evtchn.close();
    }

    @Test
    void messagesFromOffTheSimulationAreFlushedInOrderByTheFlushActor() {
        w = new ConsoleWorld(4, 0.3, true);
        w.console.acquire();
        ConsoleLog cl = new ConsoleLog(w.kernel, w.xenbusLog, w.console, LogLevel.mask(LogLevel.INFO));
        cl.attach();
        for (int i = 0; i < 5; i++) {
            w.xenbusLog.log(LogLevel.INFO, "line " + i + "\n");
        }
        w.kernel.runUntilIdle(Duration.ofSeconds(5));
        assertThat(w.drain()).isEqualTo("line 0\r\nline 1\r\nline 2\r\nline 3\r\nline 4\r\n");
        assertThat(cl.messages()).isEqualTo(5);
        cl.detach();
        w.console.release();
        w.evtchn.close();
    }

    @Test
    void theOutputBufferCutsAt1024Bytes() {
        assertThat(ConsoleLog.toConsole("a\nb")).isEqualTo(new byte[] {'a', '\r', '\n', 'b'});
        assertThat(ConsoleLog.toConsole("\n".repeat(600))).hasSize(ConsoleLog.BUFFER_SIZE);
        assertThat(ConsoleLog.toConsole("y".repeat(1023) + "\n")).hasSize(1024).endsWith((byte) '\r');
    }
}
