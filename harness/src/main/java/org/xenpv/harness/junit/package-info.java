/**
 * The JUnit 5 side of the conformance harness: seeded, deterministic test invocations with world
 * objects, leak checks and replayable failures.
 *
 * <h2>Writing a conformance test</h2>
 * <pre>{@code
 * @Tag("xenbus")                                   // component
 * @Seeds(count = 20)                               // or @Seeds({1, 2, 3}); -Dxenpv.seeds=... overrides
 * class StoreClientConformanceTest {
 *
 *     @XenpvTest                                   // one invocation per seed, named [seed=N]
 *     @KernelOptions(preemption = 0.2)             // optional kernel settings
 *     @Tag("store-client")                          // feature
 *     @Checks(id = "XENBUS-4", ref = "windows-pv-drivers.md §8")
 *     @DisplayName("EAGAIN on transaction end re-runs the whole transaction")
 *     void eagainRerunsTransaction(Kernel kernel, Platform platform) {   // Platform: from a WorldFactory
 *         ...
 *         kernel.runUntil(() -> done);
 *     }
 * }
 * }</pre>
 * Conformance classes live in main sources under {@code org.xenpv.conformance.<component>} (so the
 * shaded CLI carries them) and are named {@code *Test} (so Surefire's {@code conformance} execution
 * runs them in {@code mvn verify}).
 *
 * <h2>Plugging in world objects</h2>
 * A {@link org.xenpv.harness.junit.WorldFactory} builds one object (the platform, the store daemon,
 * a toolstack) on the invocation's kernel, on first use. Register it for every test in
 * {@code META-INF/services/org.xenpv.harness.junit.WorldFactory}, or for a class or method with
 * {@link org.xenpv.harness.junit.UseWorld}. Objects that implement
 * {@link org.xenpv.harness.junit.LeakCheck} are asked for {@link org.xenpv.harness.junit.Leak}s
 * after the test; a test that passed but leaked fails listing every leak
 * ({@link org.xenpv.harness.junit.AllowLeaks} exempts kinds of leaks, with a reason).
 *
 * <h2>When an invocation fails</h2>
 * {@code target/xenpv-failures/<class>/<method>-seed<N>.log} (event log as text),
 * {@code .jsonl} (JSON lines) and {@code .txt} (seed, kernel options, replay commands, leaks,
 * stack trace) are written ({@code -Dxenpv.failures.dir} moves them), and one line is printed to
 * stderr, published as the report entry {@code xenpv.replay} and attached to the failure:
 * <pre>
 * [xenpv] FAILED SomeTest#m [seed=5] (event log: ...); replay: mvn -pl harness -am verify -Dtest='SomeTest#m'
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dxenpv.seeds=5   # or: ./xenpv conformance --select method:org.x.SomeTest#m --seeds 5
 * </pre>
 * (one line in reality). Kernel options come from the annotations, so the seed alone replays the run.
 */
package org.xenpv.harness.junit;
