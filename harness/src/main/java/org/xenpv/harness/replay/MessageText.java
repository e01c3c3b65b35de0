package org.xenpv.harness.replay;

import java.nio.charset.StandardCharsets;
import org.xenpv.xenstore.client.XsBytes;
import org.xenpv.xenstore.trace.Message;
import org.xenpv.xenstore.wire.XsType;

/** How replay reports show messages: {@code READ "v"}, {@code ERROR ENOENT}, {@code READ /t}. */
final class MessageText {

    /** Longest payload shown; longer ones are cut with {@code ...} and their length. */
    static final int MAX = 120;

    private MessageText() {
    }

    /** A reply or event: {@code ERROR ENOENT}, {@code WRITE "OK\0"}. */
    static String message(int type, byte[] payload) {
        if (type == XsType.ERROR.code()) {
            int end = payload.length;
            while (end > 0 && payload[end - 1] == 0) {
                end--;
            }
            return "ERROR " + new String(payload, 0, end, StandardCharsets.ISO_8859_1);
        }
        return Message.typeName(type) + " " + quoted(payload);
    }

    /** A request as a person reads it: the type and its arguments, NULs shown as spaces ({@code WRITE /t/x v}). */
    static String request(int type, byte[] payload) {
        StringBuilder sb = new StringBuilder(Message.typeName(type));
        int end = payload.length;
        if (end > 0 && payload[end - 1] == 0) {
            end--;
        }
        if (end > 0) {
            sb.append(' ');
        }
        for (int i = 0; i < end && i < MAX; i++) {
            int c = payload[i] & 0xff;
            sb.append(c == 0 ? ' ' : c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
        if (end > MAX) {
            sb.append("...(").append(end).append(" bytes)");
        }
        return sb.toString();
    }

    static String quoted(byte[] payload) {
        if (payload.length <= MAX) {
            return XsBytes.quote(payload);
        }
        return XsBytes.quote(payload, 0, MAX) + "...(" + payload.length + " bytes)";
    }
}
