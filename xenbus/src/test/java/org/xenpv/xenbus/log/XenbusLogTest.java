package org.xenpv.xenbus.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class XenbusLogTest {

    @Test
    void levelsAreTheDriversBitMasks() {
        assertThat(LogLevel.ERROR.mask()).isEqualTo(1);
        assertThat(LogLevel.WARNING.mask()).isEqualTo(2);
        assertThat(LogLevel.TRACE.mask()).isEqualTo(4);
        assertThat(LogLevel.INFO.mask()).isEqualTo(8);
        assertThat(LogLevel.CRITICAL.mask()).isEqualTo(0x8000_0000);
        assertThat(LogLevel.parse(List.of("info", "Critical", "bogus"))).isEqualTo(0x8000_0008);
        assertThat(LogLevel.describe(0x8000_0008)).isEqualTo("INFO|CRITICAL");
        assertThat(LogLevel.describe(0)).isEqualTo("NONE");
    }

    @Test
    void eachMessageGoesToTheDispositionsWhoseMaskHasItsLevel() {
        XenbusLog log = new XenbusLog("d1 XENBUS");
        List<String> port12 = new ArrayList<>();
        List<String> portE9 = new ArrayList<>();
        XenbusLog.Disposition a = log.addDisposition(LogLevel.mask(LogLevel.INFO, LogLevel.WARNING, LogLevel.ERROR,
                LogLevel.CRITICAL), (l, t) -> port12.add(t));
        log.addDisposition(LogLevel.CRITICAL.mask(), (l, t) -> portE9.add(l + " " + t));
        assertThat(log.addDisposition(LogLevel.NONE, (l, t) -> { })).as("mask 0 installs nothing").isNull();
        log.printf(LogLevel.INFO, "%s: %d\n", "FDO", 3);
        log.log(LogLevel.TRACE, "trace\n");
        log.log(LogLevel.CRITICAL, "BUG\n");
        assertThat(port12).containsExactly("FDO: 3\n", "BUG\n");
        assertThat(portE9).containsExactly("CRITICAL BUG\n");
        log.removeDisposition(a);
        log.log(LogLevel.INFO, "gone\n");
        assertThat(port12).hasSize(2);
        log.log(LogLevel.CRITICAL, "y".repeat(300));
        assertThat(portE9.get(1)).hasSize("CRITICAL ".length() + XenbusLog.BUFFER_SIZE);
    }

    @Test
    void atMostEightDispositions() {
        XenbusLog log = new XenbusLog("d1 XENBUS");
        for (int i = 0; i < XenbusLog.MAX_DISPOSITIONS; i++) {
            log.addDisposition(LogLevel.INFO.mask(), (l, t) -> { });
        }
        assertThatThrownBy(() -> log.addDisposition(LogLevel.ERROR.mask(), (l, t) -> { }))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("all 8 dispositions in use");
    }
}
