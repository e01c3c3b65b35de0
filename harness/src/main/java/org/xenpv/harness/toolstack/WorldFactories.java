package org.xenpv.harness.toolstack;

import java.util.List;
import org.xenpv.core.platform.LeakReport;
import org.xenpv.core.platform.Platform;
import org.xenpv.harness.junit.Leak;
import org.xenpv.harness.junit.WorldFactory;
import org.xenpv.harness.junit.XenpvRun;
import org.xenpv.xenstore.daemon.XenStore;

/** The {@link WorldFactory}s of the simulated world: platform, store engine, toolstack. */
public final class WorldFactories {

    private WorldFactories() {
    }

    /**
     * The platform on the invocation's kernel, its {@link LeakReport} checked after the test (without
     * what a live {@link Toolstack} built as domain plumbing).
     */
    public static final class PlatformFactory implements WorldFactory<Platform> {
        @Override
        public Class<Platform> type() {
            return Platform.class;
        }

        @Override
        public Platform create(XenpvRun run) {
            Platform p = new Platform(run.kernel());
            run.addLeakCheck("platform", () -> leaks(p));
            return p;
        }

        static List<Leak> leaks(Platform p) {
            LeakReport r = p.leakReport();
            var ts = Toolstack.of(p);
            if (ts.isPresent()) {
                r = r.without(ts.get()::owns);
            }
            return r.leaks().stream().map(PlatformFactory::convert).toList();
        }

        private static Leak convert(LeakReport.Leak l) {
            return switch (l) {
                case LeakReport.LiveMapping m -> new Leak(Leak.Kind.GRANT_MAPPED, "d" + m.mapper(), l.describe());
                case LeakReport.PermittedRef g -> new Leak(Leak.Kind.GRANT_PERMITTED, "d" + g.granter(), l.describe());
                case LeakReport.BoundChannel c -> new Leak(Leak.Kind.EVTCHN_BOUND, "d" + c.domid(), l.describe());
                case LeakReport.ZombieDomain z -> new Leak(Leak.Kind.OTHER, "d" + z.domid(), l.describe());
            };
        }
    }

    /** An in-process store engine that asks the platform which domains exist. */
    public static final class XenStoreFactory implements WorldFactory<XenStore> {
        @Override
        public Class<XenStore> type() {
            return XenStore.class;
        }

        @Override
        public XenStore create(XenpvRun run) {
            return XenStore.builder().platform(new PlatformXsDomains(run.world(Platform.class))).build();
        }
    }

    /** The toolstack on the platform and store, with {@link IntroduceHook#BIND_ONLY}. */
    public static final class ToolstackFactory implements WorldFactory<Toolstack> {
        @Override
        public Class<Toolstack> type() {
            return Toolstack.class;
        }

        @Override
        public Toolstack create(XenpvRun run) {
            return new Toolstack(run.world(Platform.class), run.world(XenStore.class), IntroduceHook.BIND_ONLY);
        }
    }
}
