package org.xenpv.harness.replay;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xenpv.xenstore.store.NodeRecord;

/**
 * Reads and writes xenstore state dumps as {@code xenstore-ls} prints them (xenstore_client.c
 * {@code do_ls()}, values through xs_lib's {@code sanitise_value()}):
 * <pre>
 * /local/domain/5/name = "guest"   (n5,r0)          xenstore-ls -f -p
 * local = ""  . . . . . . . . . . . . . . . . . .  (n0)   xenstore-ls -p (indented by depth, from /)
 * </pre>
 * Value escapes: {@code \\}, {@code \t}, {@code \n}, {@code \r}, {@code \ooo} (three octal digits, bytes
 * below 8, so NUL is {@code \000}) and {@code \xHH} (other bytes outside {@code ' '..'~'}); a {@code "}
 * in a value is not escaped, so the value ends at the line's last quote. Lines without permissions
 * ({@code xenstore-ls} without {@code -p}) give nodes without perms. A value cut at the terminal's
 * width ({@code \...} at its end: {@code xenstore-ls} was writing to a terminal) or a node that could not
 * be read ({@code path:}) is an error, since the dump does not have the node's value.
 */
public final class XenstoreDump {

    /** {@code xs_perm_to_string()} entries: letter and {@code %i} domid. */
    private static final Pattern PERMS = Pattern.compile("[ .]*\\(([nrwb]-?\\d+(?:,[nrwb]-?\\d+)*)\\)");
    /** cxenstored's valid path characters ({@code is_valid_nodename()}). */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_@/-]+");

    private XenstoreDump() {
    }

    /** Parses a dump file (ISO-8859-1: the dump is ASCII, bytes outside it are escaped). */
    public static List<DumpEntry> parse(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new ReplayInputException(file + ": cannot read: " + e.getMessage(), e);
        }
        return parse(lines, file.toString());
    }

    /**
     * Parses dump lines; {@code name} names the source in errors ({@code name:line: what: "text"}).
     * Blank lines and lines starting with {@code #} are skipped.
     */
    public static List<DumpEntry> parse(List<String> lines, String name) {
        List<DumpEntry> out = new ArrayList<>();
        List<String> stack = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (l.isBlank() || l.startsWith("#")) {
                continue;
            }
            out.add(parseLine(l, i + 1, name, stack));
        }
        return out;
    }

    private static DumpEntry parseLine(String l, long n, String file, List<String> stack) {
        int eq = l.indexOf(" = \"");
        if (eq < 0) {
            if (l.endsWith(":")) {
                throw ReplayInputException.at(file, n, "node could not be read when the dump was made (xenstore-ls "
                        + "printed 'path:'): its value is unknown", l);
            }
            throw ReplayInputException.at(file, n, "not a xenstore-ls line (want 'path = \"value\"   (perms)')", l);
        }
        int close = l.lastIndexOf('"');
        if (close < eq + 4) {
            throw ReplayInputException.at(file, n, "value has no closing quote", l);
        }
        String tail = l.substring(close + 1);
        List<String> perms = null;
        if (!tail.isBlank()) {
            Matcher m = PERMS.matcher(tail);
            if (!m.matches()) {
                throw ReplayInputException.at(file, n, "after the value: want '  (perms)' like '(n0,r5)', got '"
                        + tail.strip() + "'", l);
            }
            perms = List.of(m.group(1).split(","));
        }
        String head = l.substring(0, eq);
        String path;
        if (head.startsWith("/")) {
            path = head;
            if (!NAME.matcher(path).matches() || path.contains("//") || (path.length() > 1 && path.endsWith("/"))) {
                throw ReplayInputException.at(file, n, "invalid path '" + ReplayInputException.shown(path) + "'", l);
            }
        } else {
            int depth = 0;
            while (depth < head.length() && head.charAt(depth) == ' ') {
                depth++;
            }
            String base = head.substring(depth);
            if (base.isEmpty() || base.contains("/") || !NAME.matcher(base).matches()) {
                throw ReplayInputException.at(file, n, "invalid node name '" + ReplayInputException.shown(base) + "'", l);
            }
            if (depth > stack.size()) {
                throw ReplayInputException.at(file, n, "indented " + depth + " deep under a node " + stack.size()
                        + " deep (an indented dump lists each parent before its children)", l);
            }
            while (stack.size() > depth) {
                stack.remove(stack.size() - 1);
            }
            stack.add(base);
            path = "/" + String.join("/", stack);
        }
        byte[] value = unescape(l, eq + 4, close, file, n);
        return new DumpEntry(file, n, path, value, perms);
    }

    /** Decodes {@code sanitise_value()} output between {@code from} and {@code to} of line {@code l}. */
    static byte[] unescape(String l, int from, int to, String file, long n) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(to - from);
        int i = from;
        while (i < to) {
            char c = l.charAt(i);
            if (c != '\\') {
                out.write(c);
                i++;
                continue;
            }
            if (i + 1 >= to) {
                throw ReplayInputException.at(file, n, "column " + (i + 1) + ": backslash at the end of the value", l);
            }
            char e = l.charAt(i + 1);
            switch (e) {
                case '\\' -> out.write('\\');
                case 't' -> out.write('\t');
                case 'n' -> out.write('\n');
                case 'r' -> out.write('\r');
                case 'x' -> {
                    if (i + 4 > to || hex(l.charAt(i + 2)) < 0 || hex(l.charAt(i + 3)) < 0) {
                        throw ReplayInputException.at(file, n, "column " + (i + 1) + ": \\x needs two hex digits", l);
                    }
                    out.write(hex(l.charAt(i + 2)) * 16 + hex(l.charAt(i + 3)));
                    i += 2;
                }
                case '.' -> throw ReplayInputException.at(file, n, "column " + (i + 1) + ": value cut by xenstore-ls "
                        + "at the terminal's width ('\\...'); dump with its output redirected to a file", l);
                default -> {
                    if (e < '0' || e > '7' || i + 4 > to || !octal(l.charAt(i + 2)) || !octal(l.charAt(i + 3))) {
                        throw ReplayInputException.at(file, n, "column " + (i + 1) + ": unknown escape '\\" + e
                                + "' (xenstore-ls writes \\\\ \\t \\n \\r \\ooo \\xHH)", l);
                    }
                    out.write((e - '0') * 64 + (l.charAt(i + 2) - '0') * 8 + (l.charAt(i + 3) - '0'));
                    i += 2;
                }
            }
            i += 2;
        }
        return out.toByteArray();
    }

    private static int hex(char c) {
        return Character.digit(c, 16);
    }

    private static boolean octal(char c) {
        return c >= '0' && c <= '7';
    }

    /** {@code sanitise_value()}: printable ASCII except backslash as is, the rest escaped. */
    public static String sanitise(byte[] value) {
        StringBuilder sb = new StringBuilder(value.length);
        for (byte b : value) {
            int c = b & 0xff;
            if (c >= ' ' && c <= '~' && c != '\\') {
                sb.append((char) c);
                continue;
            }
            switch (c) {
                case '\t' -> sb.append("\\t");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\\' -> sb.append("\\\\");
                default -> sb.append(c < 010 ? String.format("\\%03o", c) : String.format("\\x%02x", c));
            }
        }
        return sb.toString();
    }

    /**
     * The {@code xenstore-ls -f -p} lines of a daemon's tree ({@link org.xenpv.xenstore.daemon.XenStore#dump()}),
     * without {@code /} itself, as xenstore-ls prints them.
     */
    public static List<String> format(Map<String, NodeRecord> dump) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, NodeRecord> e : dump.entrySet()) {
            if (e.getKey().equals("/")) {
                continue;
            }
            List<String> perms = new ArrayList<>();
            for (var p : e.getValue().perms().list()) {
                perms.add(p.toWireString());
            }
            out.add(e.getKey() + " = \"" + sanitise(e.getValue().data()) + "\"   (" + String.join(",", perms) + ")");
        }
        return out;
    }
}
