/**
 * The conformance suite: JUnit Jupiter tests in main sources, so that {@code xenpv conformance}
 * runs them from the built CLI, and Surefire runs them in {@code mvn verify} (the {@code conformance}
 * execution of the harness module's Surefire plugin scans {@code target/classes} for
 * {@code org/xenpv/conformance/**}{@code /*Test}).
 *
 * <p>Every test is a {@link org.xenpv.harness.junit.XenpvTest} (or a plain Jupiter test) with a
 * {@link org.xenpv.harness.junit.Checks} naming the checklist rule and its reference, a
 * {@code @DisplayName} stating the rule, and {@code @Tag}s for its component and feature.
 * One subpackage per component: {@code kernel}, later {@code xenbus}, {@code xenvif}...
 */
package org.xenpv.conformance;
