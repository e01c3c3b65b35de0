package org.xenpv.harness.replay;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.List;
import java.util.Locale;

/** How a {@link ReplayReport} is written: text for people, JSON for tools, JUnit XML for CI dashboards. */
public enum ReportFormat {
    TEXT("text"),
    JSON("json"),
    JUNIT("junit");

    private final String cliName;

    ReportFormat(String cliName) {
        this.cliName = cliName;
    }

    public String cliName() {
        return cliName;
    }

    /** {@code text}, {@code json} or {@code junit}; null if none of them. */
    public static ReportFormat parse(String s) {
        for (ReportFormat f : values()) {
            if (f.cliName.equalsIgnoreCase(s)) {
                return f;
            }
        }
        return null;
    }

    /** By file name: {@code .json} JSON, {@code .xml} JUnit XML, anything else text. */
    public static ReportFormat forFile(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".json") ? JSON : n.endsWith(".xml") ? JUNIT : TEXT;
    }

    public void write(ReplayReport r, Writer out) throws IOException {
        switch (this) {
            case TEXT -> text(r, out);
            case JSON -> json(r, out);
            case JUNIT -> junit(r, out);
        }
        out.flush();
    }

    /** The one-line verdict: {@code clean}, or how many divergences. */
    public static String verdict(ReplayReport r) {
        return r.clean() ? "no divergence" + (r.expectedDeviationCount() > 0 ? " (" + r.expectedDeviationCount()
                + " expected deviation(s))" : "") : r.divergenceCount() + " divergence(s)";
    }

    /** Counts: {@code 171 lines, 62 requests sent, 62 replies and 10 watch events compared}. */
    public static String counts(ReplayReport r) {
        return String.format("%d lines, %d requests sent%s, %d replies and %d watch events compared, %d ambiguous, "
                        + "%d skipped%s", r.lines(), r.requestsSent(),
                r.impliedRequests() > 0 ? " (+" + r.impliedRequests() + " implied)" : "", r.repliesCompared(),
                r.eventsCompared(), r.ambiguousCount(), r.skippedCount(),
                r.notSent() > 0 ? ", " + r.notSent() + " daemon-internal records not sent" : "");
    }

    private static void text(ReplayReport r, Writer w) throws IOException {
        w.write("replay of " + r.file() + " (" + r.variant() + ") against " + r.target() + "\n");
        w.write(counts(r) + String.format(", %.3f s", r.seconds())
                + (r.lenientSkipped() > 0 ? ", " + r.lenientSkipped() + " malformed records skipped" : "") + "\n");
        section(w, "divergences", r.divergenceCount(), r.divergences().stream().map(Divergence::message).toList(),
                r.limit());
        section(w, "expected deviations", r.expectedDeviationCount(), r.expectedDeviations().stream()
                .map(d -> d.message() + "\n      expected because: " + d.deviation()).toList(), r.limit());
        section(w, "ambiguous steps (not failures)", r.ambiguousCount(),
                r.ambiguous().stream().map(AmbiguousStep::message).toList(), r.limit());
        section(w, "skipped steps", r.skippedCount(), r.skipped().stream().map(SkippedStep::message).toList(),
                r.limit());
        if (!r.notes().isEmpty()) {
            w.write("notes:\n");
            for (String n : r.notes()) {
                w.write("  " + n + "\n");
            }
        }
        w.write("result: " + verdict(r) + "\n");
    }

    private static void section(Writer w, String title, long count, List<String> lines, int limit)
            throws IOException {
        if (count == 0) {
            return;
        }
        w.write(title + " (" + count + (count > lines.size() ? ", first " + lines.size() + " listed" : "") + "):\n");
        for (String l : lines) {
            w.write("  " + l + "\n");
        }
    }

    private static void json(ReplayReport r, Writer w) throws IOException {
        JsonGenerator g = JsonFactory.builder().build().createGenerator(w);
        g.useDefaultPrettyPrinter();
        g.writeStartObject();
        g.writeStringField("trace", r.file());
        g.writeStringField("format", r.format());
        g.writeStringField("variant", r.variant());
        g.writeStringField("target", r.target());
        g.writeStringField("result", r.clean() ? "clean" : "diverged");
        g.writeObjectFieldStart("counts");
        g.writeNumberField("lines", r.lines());
        g.writeNumberField("bytes", r.bytes());
        g.writeNumberField("records", r.records());
        g.writeNumberField("requests_sent", r.requestsSent());
        g.writeNumberField("implied_requests", r.impliedRequests());
        g.writeNumberField("replies_compared", r.repliesCompared());
        g.writeNumberField("events_compared", r.eventsCompared());
        g.writeNumberField("not_sent", r.notSent());
        g.writeNumberField("divergences", r.divergenceCount());
        g.writeNumberField("expected_deviations", r.expectedDeviationCount());
        g.writeNumberField("ambiguous", r.ambiguousCount());
        g.writeNumberField("skipped", r.skippedCount());
        g.writeNumberField("malformed_skipped", r.lenientSkipped());
        g.writeNumberField("seconds", r.seconds());
        g.writeEndObject();
        g.writeArrayFieldStart("divergences");
        for (Divergence d : r.divergences()) {
            divergence(g, d);
        }
        g.writeEndArray();
        g.writeArrayFieldStart("expected_deviations");
        for (Divergence d : r.expectedDeviations()) {
            divergence(g, d);
        }
        g.writeEndArray();
        g.writeArrayFieldStart("ambiguous");
        for (AmbiguousStep a : r.ambiguous()) {
            g.writeStartObject();
            g.writeNumberField("line", a.line());
            g.writeStringField("kind", a.kind());
            g.writeStringField("what", a.what());
            g.writeArrayFieldStart("alternatives");
            for (String s : a.alternatives()) {
                g.writeString(s);
            }
            g.writeEndArray();
            g.writeStringField("replay", a.replay());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("skipped");
        for (SkippedStep s : r.skipped()) {
            g.writeStartObject();
            g.writeNumberField("line", s.line());
            g.writeStringField("conn", s.conn());
            g.writeStringField("step", s.step());
            g.writeStringField("reason", s.reason());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("notes");
        for (String n : r.notes()) {
            g.writeString(n);
        }
        g.writeEndArray();
        g.writeEndObject();
        g.flush();
        w.write("\n");
    }

    private static void divergence(JsonGenerator g, Divergence d) throws IOException {
        g.writeStartObject();
        g.writeNumberField("line", d.line());
        g.writeStringField("conn", d.conn());
        g.writeStringField("kind", d.kind().name());
        if (d.requestLine() > 0) {
            g.writeNumberField("request_line", d.requestLine());
            g.writeStringField("request", d.request());
        }
        g.writeStringField("expected", d.expected());
        g.writeStringField("actual", d.actual());
        g.writeArrayFieldStart("possibly_due_to_ambiguity_at");
        for (long l : d.ambiguityLines()) {
            g.writeNumber(l);
        }
        g.writeEndArray();
        if (d.deviation() != null) {
            g.writeStringField("expected_because", d.deviation());
        }
        g.writeStringField("message", d.message());
        g.writeEndObject();
    }

    /**
     * One {@code <testsuite>} for the trace: a test case for the replay as a whole (failed when anything
     * diverged), one failed case per divergence, one skipped case per expected deviation; ambiguous and
     * skipped steps go to {@code <system-out>}.
     */
    private static void junit(ReplayReport r, Writer w) throws IOException {
        long failures = r.divergences().size() + (r.clean() ? 0 : 1);
        long tests = 1 + r.divergences().size() + r.expectedDeviations().size();
        w.write("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        w.write("<testsuite name=\"" + xml("replay " + r.file()) + "\" tests=\"" + tests + "\" failures=\"" + failures
                + "\" errors=\"0\" skipped=\"" + r.expectedDeviations().size() + "\" time=\""
                + String.format(Locale.ROOT, "%.3f", r.seconds()) + "\">\n");
        w.write("  <properties>\n");
        property(w, "target", r.target());
        property(w, "format", r.format());
        property(w, "variant", r.variant());
        w.write("  </properties>\n");
        String cls = "replay." + r.file();
        w.write("  <testcase classname=\"" + xml(cls) + "\" name=\"" + xml("replay against " + r.target())
                + "\" time=\"" + String.format(Locale.ROOT, "%.3f", r.seconds()) + "\">");
        if (!r.clean()) {
            w.write("\n    <failure message=\"" + xml(verdict(r)) + "\" type=\"divergence\">"
                    + xml(counts(r)) + "</failure>\n  ");
        }
        w.write("</testcase>\n");
        for (Divergence d : r.divergences()) {
            w.write("  <testcase classname=\"" + xml(cls) + "\" name=\"" + xml("line " + d.line() + ": " + d.kind()
                    + " on " + d.conn()) + "\">\n    <failure message=\"" + xml(d.message()) + "\" type=\""
                    + d.kind() + "\">" + xml(d.message()) + "</failure>\n  </testcase>\n");
        }
        for (Divergence d : r.expectedDeviations()) {
            w.write("  <testcase classname=\"" + xml(cls) + "\" name=\"" + xml("line " + d.line() + ": " + d.kind()
                    + " on " + d.conn()) + "\">\n    <skipped message=\"" + xml("expected deviation: " + d.deviation())
                    + "\">" + xml(d.message()) + "</skipped>\n  </testcase>\n");
        }
        StringBuilder out = new StringBuilder(counts(r)).append('\n');
        r.ambiguous().forEach(a -> out.append("ambiguous ").append(a.message()).append('\n'));
        r.skipped().forEach(s -> out.append("skipped ").append(s.message()).append('\n'));
        r.notes().forEach(n -> out.append("note: ").append(n).append('\n'));
        w.write("  <system-out>" + xml(out.toString()) + "</system-out>\n");
        w.write("</testsuite>\n");
    }

    private static void property(Writer w, String name, String value) throws IOException {
        w.write("    <property name=\"" + xml(name) + "\" value=\"" + xml(value) + "\"/>\n");
    }

    /** XML attribute/text escaping; characters XML 1.0 cannot hold become {@code \xHH}. */
    static String xml(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\n', '\t', '\r' -> sb.append(c);
                default -> {
                    if (c < 0x20 || c == 0xfffe || c == 0xffff) {
                        sb.append(String.format("\\x%02x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }

}
