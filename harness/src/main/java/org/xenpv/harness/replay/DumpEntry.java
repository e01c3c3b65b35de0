package org.xenpv.harness.replay;

import java.util.List;

/**
 * One node of a {@code xenstore-ls -f -p} dump.
 *
 * @param source the dump's name (its file), for messages
 * @param line  the dump line it came from
 * @param path  the absolute path
 * @param value the value bytes (escapes decoded)
 * @param perms the permission entries as {@code GET_PERMS} shows them ({@code n0}, {@code r5}), or
 *              {@code null} when the dump has none ({@code xenstore-ls} without {@code -p})
 */
public record DumpEntry(String source, long line, String path, byte[] value, List<String> perms) {

    public DumpEntry {
        value = value.clone();
        perms = perms == null ? null : List.copyOf(perms);
    }

    @Override
    public byte[] value() {
        return value.clone();
    }
}
