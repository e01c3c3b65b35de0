package org.xenpv.xenstore.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code is_valid_nodename()} and friends (xenstored_core.c 4.17; xen-pv-protocols.md §1.4). */
class XsPathTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "/, true",
        "/a, true",
        "/a/b-c_d@e/F9, true",
        "a, false",
        "'', false",
        "/a/, false",
        "/a//b, false",
        "//, false",
        "/a b, false",
        "/a.b, false",
        "/a$b, false",
        "@introduceDomain, false",
        "/local/domain/, false",
    })
    @DisplayName("shape and characters")
    void shape(String path, boolean valid) {
        assertThat(XsPath.isValidNodename(path, 2048)).isEqualTo(valid);
    }

    @Test
    @DisplayName("length limits observed with cxenstored 4.17: / + 2047 OK, 2049 chars EINVAL; prefix + 2048 OK")
    void lengths() {
        assertThat(XsPath.isValidNodename("/" + "a".repeat(2047), 2048)).isTrue();
        assertThat(XsPath.isValidNodename("/" + "a".repeat(2048), 2048)).as("2049 chars").isFalse();
        assertThat(XsPath.isValidNodename("/local/domain/0/" + "a".repeat(2048), 2048)).isTrue();
        assertThat(XsPath.isValidNodename("/local/domain/0/" + "a".repeat(2049), 2048)).isFalse();
        assertThat(XsPath.isValidNodename("/local/domain/12345/" + "a".repeat(2048), 2048)).isTrue();
        assertThat(XsPath.isValidNodename("/local/domain/123456/" + "a".repeat(2040), 2048)).as("%5u reads 5 digits")
                .isFalse();
        assertThat(XsPath.isValidNodename("/local/domain/-1/" + "a".repeat(2048), 2048)).as("sign counts in %5u")
                .isTrue();
        assertThat(XsPath.isValidNodename("/local/domain/5" + "a".repeat(2040), 2048)).as("no slash after N")
                .isFalse();
    }

    @Test
    @DisplayName("prefix matching of sscanf(\"/local/domain/%5u/%n\")")
    void prefix() {
        assertThat(XsPath.localDomainPrefixLength("/local/domain/7/x")).isEqualTo(16);
        assertThat(XsPath.localDomainPrefixLength("/local/domain/7")).isZero();
        assertThat(XsPath.localDomainPrefixLength("/local/domain/x/")).isZero();
        assertThat(XsPath.localDomainPrefixLength("/local/domain/+12/a")).isEqualTo(18);
        assertThat(XsPath.localDomainPrefixLength("/local/domainx/1/a")).isZero();
    }

    @Test
    @DisplayName("parent, basename, child and is_child")
    void relations() {
        assertThat(XsPath.parent("/a/b/c")).isEqualTo("/a/b");
        assertThat(XsPath.parent("/a")).isEqualTo("/");
        assertThat(XsPath.parent("/")).isEqualTo("/");
        assertThat(XsPath.basename("/a/bc")).isEqualTo("bc");
        assertThat(XsPath.child("/", "a")).isEqualTo("/a");
        assertThat(XsPath.child("/a", "b")).isEqualTo("/a/b");
        assertThat(XsPath.isChild("/a/b", "/a")).isTrue();
        assertThat(XsPath.isChild("/a", "/a")).isTrue();
        assertThat(XsPath.isChild("/ab", "/a")).isFalse();
        assertThat(XsPath.isChild("/a", "/a/b")).isFalse();
        assertThat(XsPath.isChild("/anything", "/")).isTrue();
        assertThat(XsPath.isChild("@introduceDomain", "/")).isTrue();
    }
}
