package org.xenpv.core.evtchn;

/** Layout and constants of the FIFO event-channel ABI ({@code event_channel.h}). */
public final class EvtchnFifo {

    /** {@code EVTCHN_FIFO_PENDING}: bit number in an {@code event_word_t}. */
    public static final int PENDING = 31;
    /** {@code EVTCHN_FIFO_MASKED}. */
    public static final int MASKED = 30;
    /** {@code EVTCHN_FIFO_LINKED}. */
    public static final int LINKED = 29;
    /** {@code EVTCHN_FIFO_BUSY}: set by Xen while it updates the word's link. */
    public static final int BUSY = 28;
    /** {@code EVTCHN_FIFO_LINK_BITS}. */
    public static final int LINK_BITS = 17;
    /** {@code EVTCHN_FIFO_LINK_MASK}. */
    public static final int LINK_MASK = (1 << LINK_BITS) - 1;
    /** {@code EVTCHN_FIFO_NR_CHANNELS}. */
    public static final int NR_CHANNELS = 1 << LINK_BITS;
    /** {@code EVTCHN_FIFO_PRIORITY_MAX} (the highest priority). */
    public static final int PRIORITY_MAX = 0;
    /** {@code EVTCHN_FIFO_PRIORITY_DEFAULT}. */
    public static final int PRIORITY_DEFAULT = 7;
    /** {@code EVTCHN_FIFO_PRIORITY_MIN} (the lowest priority). */
    public static final int PRIORITY_MIN = 15;
    /** {@code EVTCHN_FIFO_MAX_QUEUES}. */
    public static final int MAX_QUEUES = PRIORITY_MIN + 1;
    /** Event words per event-array page ({@code PAGE_SIZE / sizeof(event_word_t)}). */
    public static final int WORDS_PER_PAGE = 1024;
    /** {@code EVTCHN_FIFO_MAX_EVENT_ARRAY_PAGES}. */
    public static final int MAX_EVENT_ARRAY_PAGES = NR_CHANNELS / WORDS_PER_PAGE;

    /** {@code sizeof(struct evtchn_fifo_control_block)}. */
    public static final int CONTROL_BLOCK_SIZE = 72;
    /** Offset of {@code ready} in the control block. */
    public static final int CB_READY = 0;
    /** Offset of {@code head[0]} in the control block. */
    public static final int CB_HEAD = 8;

    private EvtchnFifo() {
    }

    /** Offset of {@code head[priority]} in the control block. */
    public static int head(int priority) {
        return CB_HEAD + 4 * priority;
    }

    /** Byte offset of {@code port}'s event word in its event-array page. */
    public static int wordOffset(int port) {
        return (port % WORDS_PER_PAGE) * 4;
    }

    /** {@code P M L B link=5} style rendering of an event word. */
    public static String describe(int word) {
        StringBuilder sb = new StringBuilder();
        sb.append((word & (1 << PENDING)) != 0 ? 'P' : '-');
        sb.append((word & (1 << MASKED)) != 0 ? 'M' : '-');
        sb.append((word & (1 << LINKED)) != 0 ? 'L' : '-');
        sb.append((word & (1 << BUSY)) != 0 ? 'B' : '-');
        return sb.append(" link=").append(word & LINK_MASK).toString();
    }
}
