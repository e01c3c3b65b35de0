package org.xenpv.xenstore.trace;

/** Told how far a trace has been read; called about every 1 MiB and at the end. */
@FunctionalInterface
public interface ProgressListener {

    ProgressListener NONE = (read, total) -> { };

    /**
     * @param bytesRead bytes consumed so far
     * @param totalBytes file size, or -1 if unknown (a pipe)
     */
    void progress(long bytesRead, long totalBytes);
}
