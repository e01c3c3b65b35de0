package org.xenpv.xenstore.trace;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Test helpers: read traces from strings and the shared samples. */
final class Traces {

    static final Path CX_SAMPLE = sample("cxenstored-4.17-trace.sample.log");
    static final Path OX_SAMPLE = sample("oxenstored-4.17-access.sample.log");

    private Traces() {
    }

    static Path sample(String name) {
        try {
            return Path.of(Traces.class.getResource("/traces/" + name).toURI());
        } catch (Exception e) {
            throw new IllegalStateException("test resource /traces/" + name + " missing", e);
        }
    }

    static List<TraceRecord> read(String text, TraceOptions opts) {
        return read(text.getBytes(StandardCharsets.ISO_8859_1), opts);
    }

    static List<TraceRecord> read(byte[] bytes, TraceOptions opts) {
        try (TraceReader r = TraceReader.open(new ByteArrayInputStream(bytes), "t.log", bytes.length, opts)) {
            List<TraceRecord> out = new ArrayList<>();
            r.forEachRemaining(out::add);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<TraceRecord> cx(String text) {
        return read(text, TraceOptions.DEFAULT.withFormat(TraceFormat.CXENSTORED));
    }

    static List<TraceRecord> ox(String text) {
        return read(text, TraceOptions.DEFAULT.withFormat(TraceFormat.OXENSTORED));
    }

    static List<TraceRecord> readFile(Path p, TraceOptions opts) {
        try (TraceReader r = TraceReader.open(p, opts)) {
            List<TraceRecord> out = new ArrayList<>();
            r.forEachRemaining(out::add);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static <T extends TraceRecord> List<T> only(List<TraceRecord> rs, Class<T> c) {
        return rs.stream().filter(c::isInstance).map(c::cast).toList();
    }

    static TraceStats stats(List<TraceRecord> rs) {
        TraceStats s = new TraceStats();
        rs.forEach(s::accept);
        return s;
    }

    static Payload p(String s) {
        return Payload.utf8(s);
    }

    static InputStream stream(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }
}
