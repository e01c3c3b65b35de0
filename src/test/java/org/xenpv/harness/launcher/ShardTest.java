package org.xenpv.harness.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xenpv.harness.samples.Samples;
import org.xenpv.harness.samples.ShardSampleA;
import org.xenpv.harness.samples.ShardSampleB;
import org.xenpv.harness.samples.ShardSampleC;

class ShardTest {

    @TempDir
    Path tmp;

    private ConformanceRequest sample() {
        return Samples.request(tmp, ShardSampleA.class, ShardSampleB.class, ShardSampleC.class);
    }

    private static List<String> executed(ConformanceResult r) {
        assertThat(r.failed()).as(r.failures().toString()).isZero();
        return r.outcomes().stream().map(TestOutcome::uniqueId).toList();
    }

    @ParameterizedTest(name = "{0} shards")
    @ValueSource(ints = {1, 2, 3, 7})
    @DisplayName("The n shards together run every test invocation of the suite exactly once")
    void shardsPartitionTheSuite(int n) {
        List<String> all = executed(Samples.run(sample()));
        assertThat(all).hasSize(3 * (2 + 3 + 3)).doesNotHaveDuplicates();
        List<String> union = new ArrayList<>();
        int nonEmpty = 0;
        for (int i = 1; i <= n; i++) {
            List<String> shard = executed(Samples.run(sample().withShard(new Shard(i, n))));
            union.addAll(shard);
            nonEmpty += shard.isEmpty() ? 0 : 1;
        }
        assertThat(union).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(all);
        assertThat(nonEmpty).as("shards that got work").isGreaterThan(Math.min(n, 2) - 1);
    }

    @Test
    @DisplayName("The unit is the test method: all seeds of a method run in the same shard")
    void methodIsTheUnit() {
        Map<String, Set<Integer>> shardsOfMethod = new java.util.HashMap<>();
        for (int i = 1; i <= 3; i++) {
            for (TestOutcome o : Samples.run(sample().withShard(new Shard(i, 3))).outcomes()) {
                shardsOfMethod.computeIfAbsent(o.testId(), k -> new HashSet<>()).add(i);
            }
        }
        assertThat(shardsOfMethod).hasSize(15).allSatisfy((method, shards) -> assertThat(shards).hasSize(1));
    }

    @Test
    @DisplayName("A method's shard depends only on its unique id, not on what else is selected")
    void stableUnderSelection() {
        Shard s = new Shard(2, 3);
        Set<String> fromSuite = Samples.run(sample().withShard(s)).outcomes().stream()
                .filter(o -> o.className().equals(ShardSampleB.class.getName())).map(TestOutcome::uniqueId)
                .collect(Collectors.toSet());
        Set<String> alone = Samples.run(Samples.request(tmp, ShardSampleB.class).withShard(s)).outcomes().stream()
                .map(TestOutcome::uniqueId).collect(Collectors.toSet());
        assertThat(alone).isEqualTo(fromSuite);
    }

    @Test
    @DisplayName("Shard specs parse as i/n with 1 <= i <= n; others are rejected")
    void parse() {
        assertThat(Shard.parse("2/4")).isEqualTo(new Shard(2, 4));
        assertThatThrownBy(() -> Shard.parse("0/4")).hasMessageContaining("1 <= i <= n");
        assertThatThrownBy(() -> Shard.parse("5/4")).hasMessageContaining("1 <= i <= n");
        assertThatThrownBy(() -> Shard.parse("2")).hasMessageContaining("expected i/n");
        assertThatThrownBy(() -> Shard.parse("a/b")).hasMessageContaining("whole numbers");
    }

    @Test
    @DisplayName("The shard hash is FNV-1a 64 (a fixed function, the same on every JVM)")
    void fnv() {
        assertThat(Shard.fnv1a64("")).isEqualTo(0xcbf29ce484222325L);
        assertThat(Shard.fnv1a64("a")).isEqualTo(0xaf63dc4c8601ec8cL);
        assertThat(Shard.fnv1a64("foobar")).isEqualTo(0x85944171f73967e8L);
    }
}
