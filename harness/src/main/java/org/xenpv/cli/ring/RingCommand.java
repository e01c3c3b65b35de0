package org.xenpv.cli.ring;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.xenpv.cli.support.UserError;
import org.xenpv.core.ring.RingGeometry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code xenpv ring}: shared-ring pages as JSON and back ({@code io/ring.h} rings: netif tx/rx/ctrl, blkif for
 * both x86 ABIs; and the xenstore and console byte rings).
 */
@Command(name = "ring", mixinStandardHelpOptions = true,
        description = "Decode shared-ring pages to JSON and encode them back.",
        subcommands = {RingCommand.Decode.class, RingCommand.Encode.class})
public final class RingCommand implements Runnable {

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Options both directions share (a picocli mixin). */
    static class LayoutOptions {
        @Option(names = "--layout", required = true, paramLabel = "LAYOUT",
                description = "netif-tx, netif-rx, netif-ctrl, blkif, blkif-x86_32, xenstore or console")
        String layout;

        @Option(names = "--order", paramLabel = "N", defaultValue = "0",
                description = "ring-page-order: the ring spans 2^N pages (blkif multi-page rings; default 0)")
        int order;

        PageLayout resolve(Path file) {
            PageLayout l = PageLayout.byName(layout);
            if (l == null) {
                throw new UserError(file + ": unknown layout '" + layout + "' (one of " + PageLayout.names() + ")");
            }
            if (order < 0 || order > RingGeometry.MAX_ORDER) {
                throw new UserError(file + ": --order " + order + " outside 0.." + RingGeometry.MAX_ORDER);
            }
            if (!l.isSring() && order != 0) {
                throw new UserError(file + ": a " + l.cliName + " page is a single page; --order must be 0");
            }
            return l;
        }

        int bytes() {
            return RingGeometry.bytesForOrder(order);
        }
    }

    @Command(name = "decode", mixinStandardHelpOptions = true,
            description = {"Print a ring page (or 2^order pages) as JSON: header, ring size, every slot decoded as"
                    + " request and as response, and which slots the indices show live.",
                    "Requests are live in [rsp_prod, req_prod), responses in [rsp_event - 1, rsp_prod)."})
    static final class Decode implements Runnable {
        @Spec
        CommandSpec spec;

        @picocli.CommandLine.Mixin
        LayoutOptions opts;

        @Parameters(index = "0", paramLabel = "FILE", description = "the page dump")
        Path file;

        @Override
        public void run() {
            PageLayout layout = opts.resolve(file);
            byte[] bytes = read(file);
            int want = opts.bytes();
            if (bytes.length != want) {
                throw new UserError(file + ": " + bytes.length + " bytes, but a " + layout.cliName + " page"
                        + (opts.order > 0 ? " of order " + opts.order : "") + " is " + want + " bytes");
            }
            JsonNode out = layout.isSring() ? SringPageJson.decode(bytes, layout, opts.order)
                    : ByteRingPageJson.decode(bytes, layout);
            try {
                spec.commandLine().getOut().println(JSON.writeValueAsString(out));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            spec.commandLine().getOut().flush();
        }
    }

    @Command(name = "encode", mixinStandardHelpOptions = true,
            description = {"Build a ring page from JSON in the schema 'ring decode' prints (missing fields are 0).",
                    "Decoding a page and encoding the JSON gives back the same bytes."})
    static final class Encode implements Runnable {
        @Spec
        CommandSpec spec;

        @picocli.CommandLine.Mixin
        LayoutOptions opts;

        @Parameters(index = "0", paramLabel = "JSON_FILE", description = "the page as JSON")
        Path file;

        @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT", description = "where to write the page")
        Path out;

        @Override
        public void run() {
            PageLayout layout = opts.resolve(file);
            byte[] text = read(file);
            JsonNode root;
            try {
                root = JSON.readTree(text);
            } catch (JsonProcessingException e) {
                var loc = e.getLocation();
                throw new UserError(file + ": bad JSON" + (loc != null ? " at line " + loc.getLineNr() + " column "
                        + loc.getColumnNr() : "") + ": " + e.getOriginalMessage().lines().findFirst().orElse(""));
            } catch (IOException e) {
                throw new UserError(file + ": cannot read: " + e.getMessage());
            }
            if (root == null || root.isMissingNode() || !root.isObject()) {
                throw new UserError(file + ": expected a JSON object describing a " + layout.cliName + " page");
            }
            JsonNode l = root.get("layout");
            if (l != null && !l.asText().equals(layout.cliName)) {
                throw new UserError(file + ": describes a '" + l.asText() + "' page but --layout is " + layout.cliName);
            }
            JsonNode o = root.get("order");
            if (o != null && (!o.canConvertToInt() || o.asInt() != opts.order)) {
                throw new UserError(file + ": describes order " + o + " but --order is " + opts.order);
            }
            byte[] page;
            try {
                page = layout.isSring() ? SringPageJson.encode(root, layout, opts.order)
                        : ByteRingPageJson.encode(root, layout);
            } catch (RecordJson.BadJson e) {
                throw new UserError(file + ": " + e.getMessage());
            }
            try {
                Files.write(out, page);
            } catch (IOException e) {
                throw new UserError(out + ": cannot write: " + e.getMessage());
            }
        }
    }

    static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new UserError(file + ": no such file");
        } catch (IOException e) {
            throw new UserError(file + ": cannot read: " + e.getMessage());
        }
    }
}
