/**
 * Runs the conformance suite through the JUnit Platform Launcher in this JVM: selections
 * ({@code tag:}, {@code class:}, {@code method:}, {@code package:}), seed override, sharding by a
 * stable hash of each test method's unique id, JUnit XML and Open Test Reporting reports, progress,
 * and the checklist document ({@link org.xenpv.harness.launcher.ConformanceDoc}). Used by
 * {@code xenpv conformance} and by the harness's own tests.
 */
package org.xenpv.harness.launcher;
