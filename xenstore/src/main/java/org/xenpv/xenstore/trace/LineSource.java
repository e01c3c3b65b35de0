package org.xenpv.xenstore.trace;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Splits a byte stream into lines at {@code \n}, keeping every byte: a line is returned as an
 * ISO-8859-1 string (one char per byte), so payload bytes that are not UTF-8 survive. Memory is one
 * buffer plus one line of look-ahead; a line longer than {@link #MAX_LINE} is refused (after being
 * skipped), which also stops binary files without newlines from being buffered whole.
 */
final class LineSource implements Closeable {

    /** Longest accepted line. Real traces stay below ~8 KiB (a 4096-byte payload, shown once). */
    static final int MAX_LINE = 1 << 20;
    private static final long PROGRESS_STEP = 1 << 20;

    /** One line. {@code problem} is set for a line that must not be parsed (NUL byte, too long). */
    record Line(String text, long number, boolean terminated, String problem) {
    }

    private final InputStream in;
    private final String name;
    private final long total;
    private final ProgressListener progress;
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int lim;
    private boolean eof;
    private byte[] acc = new byte[256];
    private long lineNo;
    private long bytesRead;
    private long nextReport = PROGRESS_STEP;
    private Line peeked;

    LineSource(InputStream in, String name, long totalBytes, ProgressListener progress) {
        this.in = in;
        this.name = name;
        this.total = totalBytes;
        this.progress = progress;
    }

    String name() {
        return name;
    }

    long bytesRead() {
        return bytesRead;
    }

    /** Number of the last line taken by {@link #next()} (or peeked). */
    long lineNumber() {
        return lineNo;
    }

    /** The next line without taking it; {@code null} at end of input. */
    Line peek() {
        if (peeked == null) {
            peeked = read();
        }
        return peeked;
    }

    /**
     * Takes the next line; {@code null} at end of input.
     *
     * @throws TraceSyntaxException for a line with a NUL byte or longer than {@link #MAX_LINE}
     *                              (the line is consumed first, so a lenient reader can go on)
     */
    Line next() {
        Line l = peek();
        peeked = null;
        if (l != null && l.problem() != null) {
            throw new TraceSyntaxException(name, l.number(), l.problem(), l.text());
        }
        return l;
    }

    private Line read() {
        int n = 0;
        boolean tooLong = false;
        int nulAt = -1;
        while (true) {
            if (pos == lim && !fill()) {
                if (n == 0 && !tooLong) {
                    progress.progress(bytesRead, total);
                    return null;
                }
                return finish(n, false, tooLong, nulAt);
            }
            int start = pos;
            int i = start;
            while (i < lim && buf[i] != '\n') {
                i++;
            }
            int len = i - start;
            if (!tooLong) {
                if ((long) n + len > MAX_LINE) {
                    tooLong = true;
                } else {
                    if (acc.length < n + len) {
                        byte[] a = new byte[Math.max(acc.length * 2, n + len)];
                        System.arraycopy(acc, 0, a, 0, n);
                        acc = a;
                    }
                    System.arraycopy(buf, start, acc, n, len);
                    if (nulAt < 0) {
                        for (int k = 0; k < len; k++) {
                            if (acc[n + k] == 0) {
                                nulAt = n + k;
                                break;
                            }
                        }
                    }
                    n += len;
                }
            }
            bytesRead += len;
            if (i < lim) {
                pos = i + 1;
                bytesRead++;
                return finish(n, true, tooLong, nulAt);
            }
            pos = lim;
        }
    }

    private Line finish(int n, boolean terminated, boolean tooLong, int nulAt) {
        lineNo++;
        if (bytesRead >= nextReport) {
            progress.progress(bytesRead, total);
            nextReport = bytesRead + PROGRESS_STEP;
        }
        if (tooLong) {
            return new Line(new String(acc, 0, Math.min(n, 200), StandardCharsets.ISO_8859_1), lineNo, terminated,
                    "line longer than " + MAX_LINE + " bytes (binary file, or not a xenstore trace?)");
        }
        String s = new String(acc, 0, n, StandardCharsets.ISO_8859_1);
        if (nulAt >= 0) {
            return new Line(s, lineNo, terminated,
                    "NUL byte at column " + (nulAt + 1) + " (binary data: traces show NULs as spaces or escapes)");
        }
        if (acc.length > 1 << 16) {
            acc = new byte[256];
        }
        return new Line(s, lineNo, terminated, null);
    }

    private boolean fill() {
        if (eof) {
            return false;
        }
        try {
            int r = in.read(buf, 0, buf.length);
            if (r <= 0) {
                eof = true;
                return false;
            }
            pos = 0;
            lim = r;
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": read failed after " + bytesRead + " bytes: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
