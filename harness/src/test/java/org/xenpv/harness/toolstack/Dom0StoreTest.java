package org.xenpv.harness.toolstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.xenpv.xenstore.daemon.XenStore;

class Dom0StoreTest {

    @Test
    void writeMkdirPermsAndErrorsNameThePath() {
        Dom0Store xs = new Dom0Store(XenStore.builder().platform(new PlatformXsDomains(
                new org.xenpv.core.platform.Platform(org.xenpv.core.sim.Kernel.deterministic(1)))).build());
        xs.write("/x", "1");
        assertThatThrownBy(() -> xs.setPerms("/x", "n7")).as("no d7 on the platform")
                .hasMessageContaining("SET_PERMS /x: ENOENT");
        xs.mkdir("/local/domain/1/control");
        xs.setPerms("/local/domain/1/control", "n0", "r1");
        xs.mkdir("/local/domain/1/control/shutdown");
        assertThat(xs.directory("/local/domain/1/control")).containsExactly("shutdown");
        xs.setPerms("/local/domain/1/control/shutdown", "n0", "r1");
        assertThat(xs.perms("/local/domain/1/control/shutdown")).containsExactly("n0", "r1");
        assertThatThrownBy(() -> xs.setPerms("/local/domain/1/control/shutdown", "n1")).hasMessageContaining("ENOENT");
        xs.write("/a/b", "v");
        assertThat(xs.read("/a/b")).isEqualTo("v");
        assertThatThrownBy(() -> xs.read("/nope")).hasMessageContaining("READ /nope: ENOENT");
    }
}
