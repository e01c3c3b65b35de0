package org.xenpv.cli.trace;

import java.io.PrintWriter;
import org.xenpv.xenstore.trace.ProgressListener;

/** A one-line progress bar on stderr, redrawn with {@code \r} at most every 1 % (or MiB when size is unknown). */
public final class ProgressBar implements ProgressListener {

    private static final int WIDTH = 30;

    private final PrintWriter err;
    private final String name;
    private int lastPercent = -1;
    private boolean drawn;

    public ProgressBar(PrintWriter err, String name) {
        this.err = err;
        this.name = name;
    }

    @Override
    public void progress(long read, long total) {
        if (total > 0) {
            int pct = (int) Math.min(100, read * 100 / total);
            if (pct == lastPercent) {
                return;
            }
            lastPercent = pct;
            int fill = pct * WIDTH / 100;
            err.printf("\r%s [%s%s] %3d%% %s/%s", name, "#".repeat(fill), " ".repeat(WIDTH - fill), pct, mb(read),
                    mb(total));
        } else {
            err.printf("\r%s %s", name, mb(read));
        }
        err.flush();
        drawn = true;
    }

    /** Ends the bar's line so that later output starts on a fresh line. */
    public void finish() {
        if (drawn) {
            err.println();
            err.flush();
            drawn = false;
        }
    }

    private static String mb(long bytes) {
        return String.format("%.1f MB", bytes / 1e6);
    }
}
