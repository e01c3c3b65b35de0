package org.xenpv.xenstore.ring;

import java.util.function.Consumer;
import org.xenpv.core.ring.xs.XenstoreRing;
import org.xenpv.xenstore.daemon.XenStore;

/**
 * How the simulated xenstored serves guest rings.
 *
 * @param actorName      name of the daemon's kernel actor ({@code d0/xenstored})
 * @param serverFeatures what is written to {@code server_features} of every introduced ring
 *                       (xenstore-ring.txt, reference §1.10). cxenstored 4.17 advertises nothing (0). With
 *                       {@link XenstoreRing#SERVER_FEATURE_RECONNECTION} the daemon also honours a guest's
 *                       {@code connection = 1} at any time, as xenstore-ring.txt describes (4.17 only looks
 *                       at it on INTRODUCE). {@link XenstoreRing#SERVER_FEATURE_ERROR} changes nothing but
 *                       the advertisement: the {@code error} field is written on every ignored connection, as
 *                       4.17 does.
 * @param engine         adjusts the engine before it is built (quotas, trace sink, priv domid, ...); the
 *                       platform and clock are always the daemon's own
 */
public record XenstoredConfig(String actorName, int serverFeatures, Consumer<XenStore.Builder> engine) {

    /** The usual actor name: dom0's xenstored. */
    public static final String DEFAULT_ACTOR = "d0/xenstored";

    public XenstoredConfig {
        if (actorName == null || actorName.isBlank()) {
            throw new IllegalArgumentException("xenstored actor needs a name");
        }
        engine = engine == null ? b -> { } : engine;
    }

    /** cxenstored 4.17 as Debian ships it: no server features, default quotas. */
    public static XenstoredConfig cxenstored417() {
        return new XenstoredConfig(DEFAULT_ACTOR, 0, null);
    }

    public XenstoredConfig withServerFeatures(int features) {
        return new XenstoredConfig(actorName, features, engine);
    }

    public XenstoredConfig withEngine(Consumer<XenStore.Builder> customizer) {
        return new XenstoredConfig(actorName, serverFeatures, customizer);
    }

    public XenstoredConfig withActorName(String name) {
        return new XenstoredConfig(name, serverFeatures, engine);
    }

    /** Whether a guest may ask for a reconnection at any time ({@code XENSTORE_SERVER_FEATURE_RECONNECTION}). */
    public boolean reconnection() {
        return (serverFeatures & XenstoreRing.SERVER_FEATURE_RECONNECTION) != 0;
    }
}
