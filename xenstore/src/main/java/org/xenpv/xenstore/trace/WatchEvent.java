package org.xenpv.xenstore.trace;

import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.xenpv.xenstore.wire.XsType;

/**
 * An unsolicited {@code WATCH_EVENT} from the daemon to a watcher: payload {@code epath\0token\0}.
 *
 * @param watchPath the path the watch was registered with (found by token among the connection's
 *                  watches), or {@code null} if the trace does not show the registration
 */
public record WatchEvent(long line, String conn, OptionalInt domid, OptionalLong reqId, TxContext tx,
                         Payload payload, TraceTime time, boolean writeFailed,
                         String watchPath) implements Message {

    @Override
    public int type() {
        return XsType.WATCH_EVENT.code();
    }

    @Override
    public Direction direction() {
        return Direction.OUT;
    }

    /** The path that changed (first string). */
    public String path() {
        return payload.firstString();
    }

    /** The watch token (second string), or empty if the payload has none. */
    public String token() {
        List<String> s = payload.strings();
        return s.size() > 1 ? s.get(1) : "";
    }

    public WatchEvent withWatchPath(String p) {
        return new WatchEvent(line, conn, domid, reqId, tx, payload, time, writeFailed, p);
    }
}
