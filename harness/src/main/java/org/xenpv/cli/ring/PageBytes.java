package org.xenpv.cli.ring;

import java.util.ArrayList;
import java.util.List;
import org.xenpv.core.mem.MemoryView;
import org.xenpv.core.mem.Page;
import org.xenpv.core.mem.PageSpan;

/** Page dumps as {@link MemoryView}s and back. */
final class PageBytes {

    private PageBytes() {
    }

    /** A view of {@code bytes.length / 4096} fresh pages holding {@code bytes}. */
    static MemoryView view(byte[] bytes) {
        List<Page> pages = new ArrayList<>();
        for (int i = 0; i < bytes.length / Page.SIZE; i++) {
            pages.add(new Page());
        }
        MemoryView v = PageSpan.of(pages);
        v.putBytes(0, bytes, 0, bytes.length);
        return v;
    }

    static boolean allZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }
}
