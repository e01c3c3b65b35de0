package org.xenpv.core.evtchn;

import java.time.Duration;
import org.xenpv.core.domain.DomId;
import org.xenpv.core.sim.Actor;
import org.xenpv.core.sim.Kernel;

/**
 * An event storm for tests (XSA-391: a rogue peer notifying far more often than it makes progress):
 * an actor that notifies a port {@code count} times in bursts, giving other actors a turn (or
 * sleeping {@code interval} of kernel time) after each burst, so the notifications are spread over
 * kernel steps.
 */
public final class EventStorm {

    private EventStorm() {
    }

    /**
     * Spawns an actor that calls {@code EVTCHNOP_send} on {@code sender}'s {@code port}.
     *
     * @param burst    sends between two yields
     * @param interval kernel time to sleep after each burst; zero just yields
     */
    public static Actor sends(Kernel kernel, EventChannels sender, int port, int count, int burst, Duration interval) {
        return spawn(kernel, "storm send " + DomId.name(sender.domid()) + ":" + port, count, burst, interval,
                () -> sender.send(port));
    }

    /** Like {@link #sends} but injects directly into {@code target}'s {@code port} (no sender port needed). */
    public static Actor injections(Kernel kernel, EventChannels target, int port, int count, int burst,
                                   Duration interval) {
        return spawn(kernel, "storm inject " + DomId.name(target.domid()) + ":" + port, count, burst, interval,
                () -> target.inject(port));
    }

    private static Actor spawn(Kernel kernel, String name, int count, int burst, Duration interval, Runnable one) {
        if (count < 0 || burst < 1) {
            throw new IllegalArgumentException(name + ": count " + count + ", burst " + burst);
        }
        return kernel.spawn(name, () -> {
            for (int i = 1; i <= count; i++) {
                one.run();
                if (i % burst == 0 && i < count) {
                    if (interval.isZero()) {
                        kernel.yieldNow();
                    } else {
                        kernel.sleep(interval);
                    }
                }
            }
        });
    }
}
