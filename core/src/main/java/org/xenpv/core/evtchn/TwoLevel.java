package org.xenpv.core.evtchn;

import static org.xenpv.core.domain.SharedInfo.BITS_PER_EVTCHN_WORD;
import static org.xenpv.core.domain.SharedInfo.EVTCHN_MASK;
import static org.xenpv.core.domain.SharedInfo.EVTCHN_PENDING;

import java.util.function.IntConsumer;
import org.xenpv.core.domain.SharedInfo;

/**
 * The 2-level ABI ({@code event_2l.c}): a pending and a mask bitmap in the shared-info page, and per
 * vCPU a selector word ({@code evtchn_pending_sel}) naming which bitmap words to look at.
 */
final class TwoLevel implements PortOps {

    private final EventChannels d;
    private final SharedInfo s;

    TwoLevel(EventChannels d, SharedInfo s) {
        this.d = d;
        this.s = s;
    }

    @Override
    public EvtchnAbi abi() {
        return EvtchnAbi.TWO_LEVEL;
    }

    @Override
    public int maxPorts() {
        return SharedInfo.EVTCHN_2L_NR_CHANNELS;
    }

    @Override
    public void setPending(Channel ch) {
        int port = ch.port;
        // The order of these bit operations is Xen's: pending, then mask test, then selector.
        if (s.testAndSetBit(EVTCHN_PENDING, port)) {
            ch.countCoalesced();
            return;
        }
        boolean masked = s.testBit(EVTCHN_MASK, port);
        boolean upcall = false;
        if (!masked) {
            int vcpu = ch.notifyVcpu;
            if (!s.testAndSetPendingSel(vcpu, port / BITS_PER_EVTCHN_WORD)) {
                upcall = d.markEventsPending(vcpu);
            }
        }
        d.delivered(ch, true, masked, upcall);
        d.checkPollers();
    }

    @Override
    public void clearPending(Channel ch) {
        s.testAndClearBit(EVTCHN_PENDING, ch.port);
    }

    @Override
    public void unmask(Channel ch) {
        int port = ch.port;
        if (s.testAndClearBit(EVTCHN_MASK, port) && s.testBit(EVTCHN_PENDING, port)) {
            int vcpu = ch.notifyVcpu;
            if (!s.testAndSetPendingSel(vcpu, port / BITS_PER_EVTCHN_WORD)) {
                boolean upcall = d.markEventsPending(vcpu);
                d.delivered(ch, false, false, upcall);
            }
        }
    }

    @Override
    public boolean isPending(Channel ch) {
        return s.testBit(EVTCHN_PENDING, ch.port);
    }

    @Override
    public boolean isMasked(Channel ch) {
        return s.testBit(EVTCHN_MASK, ch.port);
    }

    @Override
    public boolean isBusy(Channel ch) {
        return false;
    }

    @Override
    public void mask(Channel ch) {
        s.testAndSetBit(EVTCHN_MASK, ch.port);
    }

    @Override
    public boolean testAndClearPending(Channel ch) {
        return s.testAndClearBit(EVTCHN_PENDING, ch.port);
    }

    @Override
    public int dispatch(int vcpu, IntConsumer handler) {
        int n = 0;
        long sel = s.swapPendingSel(vcpu);
        while (sel != 0) {
            int w = Long.numberOfTrailingZeros(sel);
            sel &= sel - 1;
            long bits = s.evtchnPendingWord(w) & ~s.evtchnMaskWord(w);
            while (bits != 0) {
                int port = w * BITS_PER_EVTCHN_WORD + Long.numberOfTrailingZeros(bits);
                bits &= bits - 1;
                if (s.testAndClearBit(EVTCHN_PENDING, port)) {
                    handler.accept(port);
                    n++;
                }
            }
        }
        return n;
    }

    @Override
    public void destroy() {
        // The bitmaps live in the shared-info page, which outlives the ABI.
    }
}
