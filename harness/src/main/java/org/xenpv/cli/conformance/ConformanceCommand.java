package org.xenpv.cli.conformance;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.platform.launcher.TestExecutionListener;
import org.xenpv.harness.junit.SeedSpec;
import org.xenpv.harness.junit.XenpvConfig;
import org.xenpv.harness.launcher.ConformanceDoc;
import org.xenpv.harness.launcher.ConformanceLauncher;
import org.xenpv.harness.launcher.ConformanceRequest;
import org.xenpv.harness.launcher.ConformanceResult;
import org.xenpv.harness.launcher.ProgressListener;
import org.xenpv.harness.launcher.Rule;
import org.xenpv.harness.launcher.SelectedTest;
import org.xenpv.harness.launcher.Selection;
import org.xenpv.harness.launcher.Shard;
import org.xenpv.harness.launcher.TestOutcome;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code xenpv conformance}: runs the conformance suite (the tests under
 * {@code org.xenpv.conformance}) through the JUnit Platform Launcher, in this JVM.
 *
 * <p>Exit codes: 0 every selected test passed; 1 some test failed; 2 bad usage (an unknown
 * option, a malformed {@code --select}, {@code --seeds} or {@code --shard}, a selection that
 * matches no test, an unwritable directory).
 */
@Command(name = "conformance",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Runs the conformance suite (JUnit tests under org.xenpv.conformance) and writes JUnit XML and Open Test"
                    + " Reporting XML into the reports directory.",
            "Progress goes to stderr (one line per finished test; only on a terminal unless --progress); the last"
                    + " line on stdout is 'N passed, N failed, N skipped'.",
            "Exit code: 0 all passed, 1 some test failed, 2 usage error."
        },
        footer = {
            "",
            "Examples:",
            "  xenpv conformance --seeds count:20",
            "  xenpv conformance --select tag:kernel --select method:KernelConformanceTest#virtualTimeout --seeds 5",
            "  xenpv conformance --shard 2/4 --reports-dir target/conformance-2",
            "  xenpv conformance --doc docs/conformance.md"
        })
public final class ConformanceCommand implements Callable<Integer> {

    static final int EXIT_OK = 0;
    static final int EXIT_FAILED = 1;
    static final int EXIT_USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--select", paramLabel = "SEL",
            description = "Tests to run: tag:EXPR (JUnit tag expression), class:C, method:C#m or package:P; C is a"
                    + " fully qualified or simple class name. Repeat for a union. Default: the whole suite.")
    List<String> selections = new ArrayList<>();

    @Option(names = "--seeds", paramLabel = "SEEDS",
            description = "Seeds for every seeded test, overriding @Seeds: '1,5,9', '3..7' or 'count:20'.")
    String seeds;

    @Option(names = "--shard", paramLabel = "i/n",
            description = "Run only shard i of n (1-based). The unit is the test method, assigned by a stable hash of"
                    + " its JUnit unique id; the n shards together run every method once.")
    String shard;

    @Option(names = "--reports-dir", paramLabel = "DIR", defaultValue = "target/xenpv-conformance",
            description = "Where TEST-junit-jupiter.xml (JUnit XML) and open-test-report.xml (Open Test"
                    + " Reporting) go. Default: ${DEFAULT-VALUE}.")
    Path reportsDir;

    @Option(names = "--failures-dir", paramLabel = "DIR",
            description = "Where failing runs leave <class>/<method>-seed<N>.{log,jsonl,txt}. Default: the"
                    + " xenpv.failures.dir system property, else <reports-dir>/xenpv-failures.")
    Path failuresDir;

    @Option(names = "--list", description = "List the selected test methods (one --select each) instead of running.")
    boolean list;

    @Option(names = "--doc", paramLabel = "FILE",
            description = "After the run, write the checklist (rules, their tests and status) as markdown to FILE.")
    Path doc;

    @Option(names = "--progress", description = "Print progress on stderr even when it is not a terminal.")
    boolean progress;

    @Option(names = "--config", paramLabel = "KEY=VALUE",
            description = "Extra JUnit configuration parameter (repeatable).")
    Map<String, String> config = new java.util.LinkedHashMap<>();

    @Override
    public Integer call() {
        try {
            return run();
        } catch (UsageProblem e) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("xenpv conformance: " + e.getMessage());
            err.flush();
            return EXIT_USAGE;
        }
    }

    private int run() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ConformanceRequest request = request();
        if (list && doc != null) {
            throw usage("--doc needs a run; it cannot be combined with --list");
        }
        ConformanceLauncher.Discovery discovery;
        try {
            discovery = ConformanceLauncher.discover(request);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        if (list) {
            for (SelectedTest t : discovery.tests()) {
                out.println(t.selector() + "\t" + String.join(",", t.rules().stream().map(Rule::id).toList()) + "\t"
                        + String.join(",", t.tags()) + "\t" + t.displayName());
            }
            out.flush();
            err.println(discovery.tests().size() + " test methods selected"
                    + (request.shard() != null ? " in shard " + request.shard() : ""));
            err.flush();
            return EXIT_OK;
        }
        try {
            Files.createDirectories(reportsDir);
        } catch (IOException e) {
            throw usage("--reports-dir " + reportsDir + ": cannot create: " + e.getMessage());
        }
        List<TestExecutionListener> listeners = new ArrayList<>();
        if (progress || isTerminal()) {
            listeners.add(new ProgressListener(err));
        }
        ConformanceResult result = ConformanceLauncher.run(discovery, request,
                listeners.toArray(TestExecutionListener[]::new));
        List<TestOutcome> failures = result.failures();
        if (!failures.isEmpty()) {
            err.println("Failed:");
            for (TestOutcome f : failures) {
                err.println("  " + f.testId() + " " + f.displayName() + ": "
                        + f.message().lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse(""));
                if (f.replayLine().isPresent()) {
                    err.println("    replay: " + f.replayLine().get());
                } else if (!f.methodName().isEmpty()) {
                    err.println("    rerun: ./xenpv conformance --select method:" + f.className() + "#" + f.methodName());
                }
            }
        }
        err.println("Reports: " + reportsDir.toAbsolutePath().normalize());
        err.flush();
        if (doc != null) {
            ConformanceDoc.write(result, "xenpv " + String.join(" ", spec.commandLine().getParseResult()
                    .originalArgs()), doc);
            err.println("Checklist: " + doc);
            err.flush();
        }
        out.println(result.summaryLine());
        out.flush();
        return result.successful() ? EXIT_OK : EXIT_FAILED;
    }

    /** The request the options describe; malformed values are usage errors. */
    ConformanceRequest request() {
        List<Selection> parsed = new ArrayList<>();
        for (String s : selections) {
            try {
                parsed.add(Selection.parse(s.strip()));
            } catch (IllegalArgumentException e) {
                throw usage("--select " + e.getMessage());
            }
        }
        if (seeds != null) {
            try {
                SeedSpec.parse(seeds);
            } catch (IllegalArgumentException e) {
                throw usage("--seeds: " + e.getMessage());
            }
        }
        Shard sh = null;
        if (shard != null) {
            try {
                sh = Shard.parse(shard);
            } catch (IllegalArgumentException e) {
                throw usage("--shard: " + e.getMessage());
            }
        }
        Path failures = failuresDir;
        if (failures == null) {
            String prop = System.getProperty(XenpvConfig.FAILURES_DIR, "").strip();
            failures = prop.isEmpty() ? reportsDir.resolve("xenpv-failures") : Path.of(prop);
        }
        ConformanceRequest r = new ConformanceRequest(parsed, seeds, sh, reportsDir, failures, Map.of());
        for (Map.Entry<String, String> e : config.entrySet()) {
            r = r.withConfig(e.getKey(), e.getValue());
        }
        return r;
    }

    /**
     * A usage problem found after parsing: printed as one line naming the option and value, exit 2.
     * (Not the root's {@code UserError}: depending on {@code org.xenpv.cli} from here would make a
     * package cycle with {@code Xenpv}, which lists this class.)
     */
    private static final class UsageProblem extends RuntimeException {
        UsageProblem(String message) {
            super(message);
        }
    }

    private static UsageProblem usage(String message) {
        return new UsageProblem(message);
    }

    /**
     * Whether stderr is a terminal. Before Java 22 {@link System#console()} is null when a stream is
     * redirected; from 22 on it exists regardless and {@code Console.isTerminal()} tells.
     */
    static boolean isTerminal() {
        java.io.Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            Method isTerminal = java.io.Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (NoSuchMethodException e) {
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }
}
