package org.xenpv.xenstore.script;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xenpv.xenstore.client.XsBytes;
import org.xenpv.xenstore.wire.XsType;

/**
 * Parses the op-script format (see the README next to the scripts). Errors name
 * {@code <script>:<line>}.
 */
public final class XsScriptParser {

    private static final Pattern CONN_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]*");
    private static final Pattern STEP = Pattern.compile("([A-Za-z][A-Za-z0-9_]*)(?:@([A-Za-z0-9_]+))?:\\s*(.*)");

    private final String name;
    private final Map<String, Integer> conns = new HashMap<>();
    private int lineNo;

    private XsScriptParser(String name) {
        this.name = name;
    }

    /** Parses {@code text}, naming it {@code name} in errors. */
    public static XsScript parse(String name, String text) {
        return new XsScriptParser(name).run(text);
    }

    private IllegalArgumentException error(String msg) {
        return new IllegalArgumentException(name + ":" + lineNo + ": " + msg);
    }

    private XsScript run(String text) {
        String domains = "0";
        Map<String, Long> quotas = new LinkedHashMap<>();
        List<XsScript.Step> steps = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            lineNo = i + 1;
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] words = line.split("\\s+");
            switch (words[0]) {
                case "daemon" -> {
                    if (!steps.isEmpty()) {
                        throw error("daemon lines must come before any step");
                    }
                    if (words.length < 2) {
                        throw error("daemon needs 'domains ...' or 'quota name=value ...'");
                    }
                    switch (words[1]) {
                        case "domains" -> domains = String.join(" ", List.of(words).subList(2, words.length));
                        case "quota" -> {
                            for (int k = 2; k < words.length; k++) {
                                String[] kv = words[k].split("=", 2);
                                if (kv.length != 2 || !XsDaemonConfig.QUOTAS.contains(kv[0])) {
                                    throw error("bad quota '" + words[k] + "' (known: " + XsDaemonConfig.QUOTAS + ")");
                                }
                                quotas.put(kv[0], parseLong(kv[1]));
                            }
                        }
                        default -> throw error("unknown daemon setting '" + words[1] + "'");
                    }
                }
                case "conn" -> steps.add(conn(line, words));
                case "close" -> {
                    if (words.length != 2 || !conns.containsKey(words[1])) {
                        throw error("close needs one declared connection name");
                    }
                    steps.add(new XsScript.Close(lineNo, line, words[1]));
                }
                default -> steps.add(step(line));
            }
        }
        return new XsScript(name, new XsDaemonConfig(domains, quotas), steps);
    }

    private XsScript.Step conn(String line, String[] w) {
        if (w.length < 3 || !CONN_NAME.matcher(w[1]).matches()) {
            throw error("expected 'conn <name> dom0' or 'conn <name> domain <domid>'");
        }
        if (conns.containsKey(w[1])) {
            throw error("connection '" + w[1] + "' declared twice");
        }
        int domid;
        if (w[2].equals("dom0") && w.length == 3) {
            domid = -1;
        } else if (w[2].equals("domain") && w.length == 4) {
            domid = (int) parseLong(w[3]);
        } else {
            throw error("expected 'conn <name> dom0' or 'conn <name> domain <domid>'");
        }
        conns.put(w[1], domid);
        return new XsScript.Conn(lineNo, line, w[1], domid);
    }

    private XsScript.Step step(String line) {
        Matcher m = STEP.matcher(line);
        if (!m.matches()) {
            throw error("expected '<conn>[@<tx>]: <TYPE> args...', 'conn ...', 'close ...' or 'daemon ...'");
        }
        String conn = m.group(1);
        String tx = m.group(2);
        if (!conns.containsKey(conn)) {
            throw error("connection '" + conn + "' not declared with 'conn'");
        }
        List<Token> tokens = tokenize(m.group(3));
        boolean noWait = false;
        Integer replies = null;
        while (!tokens.isEmpty()) {
            if (tokens.get(0).is("nowait")) {
                noWait = true;
            } else if (!tokens.get(0).quoted && tokens.get(0).raw.startsWith("replies=")) {
                replies = (int) parseLong(tokens.get(0).raw.substring("replies=".length()));
            } else {
                break;
            }
            tokens.remove(0);
        }
        if (tokens.isEmpty()) {
            throw error("missing message type");
        }
        String verb = tokens.remove(0).raw;
        if (verb.equals("RAW")) {
            if (tx != null) {
                throw error("RAW takes no @transaction");
            }
            return new XsScript.Raw(lineNo, line, conn, concat(tokens), replies == null ? 1 : replies, noWait);
        }
        if (replies != null) {
            throw error("replies=N is only for RAW");
        }
        if (verb.equals("SEND")) {
            return send(line, conn, tx, noWait, tokens);
        }
        int type = parseType(verb);
        String bind = null;
        if (tokens.size() >= 2 && tokens.get(tokens.size() - 2).is("->")) {
            bind = tokens.get(tokens.size() - 1).raw;
            tokens = tokens.subList(0, tokens.size() - 2);
        }
        return new XsScript.Send(lineNo, line, conn, type, null, tx, null, payload(type, verb, tokens), bind, noWait);
    }

    private XsScript.Step send(String line, String conn, String tx, boolean noWait, List<Token> tokens) {
        if (tokens.isEmpty()) {
            throw error("SEND needs a type");
        }
        int type = parseType(tokens.remove(0).raw);
        Integer req = null;
        Integer len = null;
        String bind = null;
        while (!tokens.isEmpty() && !tokens.get(0).quoted && tokens.get(0).raw.matches("(req|tx|len)=.*")) {
            String[] kv = tokens.remove(0).raw.split("=", 2);
            switch (kv[0]) {
                case "req" -> req = (int) parseLong(kv[1]);
                case "len" -> len = (int) parseLong(kv[1]);
                default -> {
                    if (tx != null) {
                        throw error("give the transaction either as @tx or as tx=, not both");
                    }
                    tx = kv[1];
                }
            }
        }
        if (tokens.size() >= 2 && tokens.get(tokens.size() - 2).is("->")) {
            bind = tokens.get(tokens.size() - 1).raw;
            tokens = tokens.subList(0, tokens.size() - 2);
        }
        return new XsScript.Send(lineNo, line, conn, type, req, tx, len, concat(tokens), bind, noWait);
    }

    /** Wire payload of a typed request: every argument NUL-terminated, except WRITE's value. */
    private byte[] payload(int type, String verb, List<Token> args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (type == XsType.WRITE.code()) {
            if (args.isEmpty() || args.size() > 2) {
                throw error("WRITE takes a path and an optional value (quote values with spaces)");
            }
            out.writeBytes(args.get(0).bytes());
            out.write(0);
            if (args.size() == 2) {
                out.writeBytes(args.get(1).bytes());
            }
            return out.toByteArray();
        }
        if (args.isEmpty()) {
            out.write(0);
            return out.toByteArray();
        }
        for (Token t : args) {
            out.writeBytes(t.bytes());
            out.write(0);
        }
        return out.toByteArray();
    }

    private byte[] concat(List<Token> tokens) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Token t : tokens) {
            out.writeBytes(t.bytes());
        }
        return out.toByteArray();
    }

    private int parseType(String s) {
        if (s.matches("\\d+")) {
            return (int) Long.parseLong(s);
        }
        try {
            return XsType.valueOf(s.toUpperCase(Locale.ROOT)).code();
        } catch (IllegalArgumentException e) {
            if (s.equalsIgnoreCase("DEBUG")) {
                return XsType.CONTROL.code();
            }
            throw error("unknown message type '" + s + "' (an xs_wire.h name or a number)");
        }
    }

    private long parseLong(String s) {
        try {
            long v = Long.parseLong(s);
            if (v < 0 || v > 0xffff_ffffL) {
                throw error("number out of u32 range: " + s);
            }
            return v;
        } catch (NumberFormatException e) {
            throw error("not a number: '" + s + "'");
        }
    }

    /** A word of a step: raw text (escapes not yet decoded), and whether any part was quoted. */
    private final class Token {
        final String raw;
        final boolean quoted;

        Token(String raw, boolean quoted) {
            this.raw = raw;
            this.quoted = quoted;
        }

        boolean is(String word) {
            return !quoted && raw.equals(word);
        }

        byte[] bytes() {
            try {
                if (!quoted && raw.startsWith("hex:")) {
                    return XsBytes.parseHex(raw.substring(4));
                }
                return XsBytes.unescape(raw);
            } catch (IllegalArgumentException e) {
                throw error(e.getMessage());
            }
        }
    }

    private List<Token> tokenize(String s) {
        List<Token> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean in = false;
        boolean quoted = false;
        boolean any = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                cur.append(c).append(s.charAt(++i));
                any = true;
            } else if (c == '"') {
                in = !in;
                quoted = true;
                any = true;
            } else if (!in && Character.isWhitespace(c)) {
                if (any) {
                    out.add(new Token(cur.toString(), quoted));
                }
                cur.setLength(0);
                quoted = false;
                any = false;
            } else {
                cur.append(c);
                any = true;
            }
        }
        if (in) {
            throw error("unterminated quote");
        }
        if (any) {
            out.add(new Token(cur.toString(), quoted));
        }
        return out;
    }
}
