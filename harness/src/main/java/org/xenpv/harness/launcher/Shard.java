package org.xenpv.harness.launcher;

import java.nio.charset.StandardCharsets;
import org.junit.platform.engine.UniqueId;

/**
 * Shard {@code index} of {@code count} ({@code --shard 2/4}, 1-based): the tests whose stable hash
 * falls in this shard. The unit is the test method: all seed invocations of a method run in the
 * same shard. The hash is FNV-1a (64 bit) of the method's JUnit unique id, so a method's shard
 * depends only on its class and name (and engine), never on its position in the suite or on which
 * other tests exist: the {@code count} shards together run every method exactly once.
 */
public record Shard(int index, int count) {

    public Shard {
        if (count < 1 || index < 1 || index > count) {
            throw new IllegalArgumentException("shard " + index + "/" + count + ": need 1 <= i <= n");
        }
    }

    /** Parses {@code i/n}. */
    public static Shard parse(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("shard '" + text + "': expected i/n, e.g. 1/4");
        }
        try {
            return new Shard(Integer.parseInt(text.substring(0, slash).strip()),
                    Integer.parseInt(text.substring(slash + 1).strip()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("shard '" + text + "': expected i/n with whole numbers, e.g. 1/4");
        }
    }

    public boolean includes(UniqueId id) {
        return shardOf(id.toString(), count) == index;
    }

    /** The 1-based shard of {@code key} among {@code count}. */
    public static int shardOf(String key, int count) {
        return (int) Long.remainderUnsigned(fnv1a64(key), count) + 1;
    }

    static long fnv1a64(String key) {
        long h = 0xcbf29ce484222325L;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    @Override
    public String toString() {
        return index + "/" + count;
    }
}
