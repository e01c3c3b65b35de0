package org.xenpv.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Architecture rules from DEVELOPERS.md: simulated code blocks only through the simulation kernel,
 * and no package depends on itself through others.
 */
class ArchitectureTest {

    /**
     * Packages allowed to block the real way: the kernel itself, the event log (appends from several
     * threads in concurrent mode), the CLI and conformance launcher (the program's main thread), and
     * code that talks to real sockets and processes.
     */
    private static final String[] REAL_WORLD = {
        "org.xenpv.core.sim..",
        "org.xenpv.core.log..",
        "org.xenpv.cli..",
        "org.xenpv.xenstore.client..",
        "org.xenpv.xenstore.server..",
        "org.xenpv.harness.launcher..",
    };

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                // Other modules' test fixtures arrive as *-tests.jar (Maven test-jar): not production code.
                .withImportOption(location -> !location.contains("-tests.jar"))
                .importPackages("org.xenpv");
    }

    @Test
    @DisplayName("Simulated code never calls Thread.sleep, Object.wait or LockSupport.park")
    void noRawBlocking() {
        ArchRule rule = noClasses().that().resideOutsideOfPackages(REAL_WORLD)
                .should().callMethod(Thread.class, "sleep", long.class)
                .orShould().callMethod(Thread.class, "sleep", long.class, int.class)
                .orShould().callMethod(Thread.class, "sleep", java.time.Duration.class)
                .orShould().callMethod(Object.class, "wait")
                .orShould().callMethod(Object.class, "wait", long.class)
                .orShould().callMethod(Object.class, "wait", long.class, int.class)
                .orShould().callMethodWhere(com.tngtech.archunit.core.domain.JavaCall.Predicates.target(
                        com.tngtech.archunit.core.domain.properties.HasOwner.Predicates.With.owner(
                                com.tngtech.archunit.base.DescribedPredicate.describe("LockSupport",
                                        c -> c.isEquivalentTo(java.util.concurrent.locks.LockSupport.class)))))
                .because("drivers and backends block only through kernel primitives (WaitQueue, KernelLock, "
                        + "Kernel.sleep), so the deterministic kernel keeps the baton");
        rule.check(classes);
    }

    @Test
    @DisplayName("Simulated code uses no blocking queues, raw locks or conditions")
    void noRawLocks() {
        ArchRule rule = noClasses().that().resideOutsideOfPackages(REAL_WORLD)
                .should().dependOnClassesThat().areAssignableTo(java.util.concurrent.BlockingQueue.class)
                .orShould().dependOnClassesThat().areAssignableTo(java.util.concurrent.locks.Lock.class)
                .orShould().dependOnClassesThat().areAssignableTo(java.util.concurrent.locks.Condition.class)
                .orShould().dependOnClassesThat().areAssignableTo(java.util.concurrent.CountDownLatch.class)
                .orShould().dependOnClassesThat().areAssignableTo(java.util.concurrent.Semaphore.class)
                .orShould().dependOnClassesThat().areAssignableTo(java.util.concurrent.CyclicBarrier.class)
                .because("a raw lock or queue parks a thread without handing the baton back: use KernelLock "
                        + "and WaitQueue");
        rule.check(classes);
    }

    @Test
    @DisplayName("No cycles between packages")
    void noPackageCycles() {
        slices().matching("org.xenpv.(**)").should().beFreeOfCycles().check(classes);
    }

    @Test
    @DisplayName("The platform core depends on no driver, store or harness code")
    void coreIsAtTheBottom() {
        noClasses().that().resideInAPackage("org.xenpv.core..")
                .should().dependOnClassesThat().resideInAnyPackage("org.xenpv.xenstore..", "org.xenpv.xenbus..",
                        "org.xenpv.xenvif..", "org.xenpv.xenvbd..", "org.xenpv.xencons..", "org.xenpv.xeniface..",
                        "org.xenpv.harness..", "org.xenpv.cli..")
                .check(classes);
    }
}
