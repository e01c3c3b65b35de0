package org.xenpv.cli.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.xenpv.cli.CliRun.xenpv;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenpv.cli.CliRun;
import org.xenpv.cli.Xenpv;

/** {@code xenpv boot} end to end: XENBUS boots on the toolstack, survives a migration, stops clean, reproducibly. */
class BootCommandTest {

    @TempDir
    Path tmp;

    @Test
    void bootsEnumeratesAndPrintsTheTree() {
        CliRun r = xenpv("boot", "--seed", "7", "--vif", "mac=00:16:3e:12:34:56", "--vbd", "vdev=xvda");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("booted d1 'windows'")
                .contains("XENBUS\\VEN_XP&DEV_VIF").contains("XENBUS\\VEN_XP&DEV_VBD").contains("XENBUS\\VEN_XP&DEV_CONS")
                .contains("/local/domain/1/drivers/0 = \"Xen_Project XENBUS 9.1.0.0 \"  (n1)")
                .contains("/local/domain/0/backend/vif/1/0/mac = \"00:16:3e:12:34:56\"")
                .contains("emulated devices unplugged mask 0x000b")
                .contains("event log: ");
    }

    @Test
    void migrateAndStopLeaveNothingBehindAndTheSameSeedGivesTheSameLog() throws Exception {
        Path a = tmp.resolve("a.jsonl");
        Path b = tmp.resolve("b.jsonl");
        CliRun r = xenpv("boot", "--seed", "3", "--migrate", "2", "--stop", "--log", a.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("migrated d1 -> d2").contains("migrated d2 -> d3")
                .contains("/local/domain/3/drivers/0").doesNotContain("/local/domain/1/")
                .contains("stopped XENBUS (D3): nothing left set up");
        assertThat(xenpv("boot", "--seed", "3", "--migrate", "2", "--stop", "--log", b.toString()).exit()).isZero();
        assertThat(Files.readString(a)).isNotEmpty().isEqualTo(Files.readString(b));
    }

    @Test
    void consoleLogReachesTheConsoleBackendInEveryDomain() {
        CliRun r = xenpv("boot", "--console-log", "info", "--migrate", "1");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("console d1:\n  classes: CONS IFACE\n  suspend requested\n")
                .contains("console d2:\n  resumed in d2 (from d1)\n");
        assertThat(xenpv("boot", "--console-log", "loud").exit()).isEqualTo(Xenpv.EXIT_USAGE);
    }

    @Test
    void badDeviceArgumentsAreUsageErrors() {
        CliRun r = xenpv("boot", "--vbd", "vdev=hda");
        assertThat(r.exit()).isEqualTo(Xenpv.EXIT_USAGE);
        assertThat(r.err()).contains("vdev 'hda'");
        assertThat(xenpv("boot", "--vcpus", "0").exit()).isEqualTo(Xenpv.EXIT_USAGE);
    }
}
