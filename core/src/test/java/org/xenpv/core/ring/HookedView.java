package org.xenpv.core.ring;

import java.util.HashMap;
import java.util.Map;
import org.xenpv.core.mem.MemoryView;
import org.xenpv.core.mem.Page;

/**
 * A page that runs a one-shot action just before a given index is stored or loaded: the peer acting at
 * exactly the worst moment of a ring protocol step, without threads.
 */
final class HookedView implements MemoryView {

    private final Page page = new Page();
    private final Map<Integer, Runnable> beforeStore = new HashMap<>();
    private final Map<Integer, Runnable> beforeLoad = new HashMap<>();

    void beforeStore(int offset, Runnable action) {
        beforeStore.put(offset, action);
    }

    void beforeLoad(int offset, Runnable action) {
        beforeLoad.put(offset, action);
    }

    private void fire(Map<Integer, Runnable> hooks, int offset) {
        Runnable r = hooks.remove(offset);
        if (r != null) {
            r.run();
        }
    }

    @Override public int size() { return page.size(); }
    @Override public byte getByte(int o) { return page.getByte(o); }
    @Override public void putByte(int o, byte v) { page.putByte(o, v); }
    @Override public short getShort(int o) { return page.getShort(o); }
    @Override public void putShort(int o, short v) { page.putShort(o, v); }
    @Override public int getInt(int o) { return page.getInt(o); }
    @Override public void putInt(int o, int v) { page.putInt(o, v); }
    @Override public long getLong(int o) { return page.getLong(o); }
    @Override public void putLong(int o, long v) { page.putLong(o, v); }

    @Override
    public int getIntAcquire(int o) {
        fire(beforeLoad, o);
        return page.getIntAcquire(o);
    }

    @Override
    public void putIntRelease(int o, int v) {
        fire(beforeStore, o);
        page.putIntRelease(o, v);
    }

    @Override public int getIntVolatile(int o) { return page.getIntVolatile(o); }
    @Override public void putIntVolatile(int o, int v) { page.putIntVolatile(o, v); }
    @Override public boolean compareAndSetShort(int o, short e, short v) { return page.compareAndSetShort(o, e, v); }
    @Override public boolean compareAndSetInt(int o, int e, int v) { return page.compareAndSetInt(o, e, v); }
    @Override public void getBytes(int o, byte[] d, int off, int len) { page.getBytes(o, d, off, len); }
    @Override public void putBytes(int o, byte[] s, int off, int len) { page.putBytes(o, s, off, len); }
    @Override public void fill(int o, int len, byte v) { page.fill(o, len, v); }
    @Override public boolean readOnly() { return false; }
}
