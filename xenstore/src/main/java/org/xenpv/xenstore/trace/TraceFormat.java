package org.xenpv.xenstore.trace;

import java.util.Locale;

/** The trace formats xenpv reads ({@code docs/traces.md}). */
public enum TraceFormat {
    /** cxenstored {@code -T} trace: 4.17 lines, 4.18+ {@code io:/obj:} prefixes, 4.19+ {@code (d<domid>)}. */
    CXENSTORED("cxenstored"),
    /** oxenstored access log ({@code xenstored-access.log}). */
    OXENSTORED("oxenstored"),
    /** xenpv JSON lines: one object per line. */
    JSONL("jsonl");

    private final String cliName;

    TraceFormat(String cliName) {
        this.cliName = cliName;
    }

    public String cliName() {
        return cliName;
    }

    /** Parses a {@code --format} value; {@code null} if unknown. */
    public static TraceFormat parse(String s) {
        String k = s.toLowerCase(Locale.ROOT);
        for (TraceFormat f : values()) {
            if (f.cliName.equals(k)) {
                return f;
            }
        }
        return switch (k) {
            case "cxenstored-4.17", "cxenstored-4.18", "cxenstored-4.19", "c" -> CXENSTORED;
            case "oxenstored-access", "ocaml", "o" -> OXENSTORED;
            case "json", "json-lines", "xenpv" -> JSONL;
            default -> null;
        };
    }
}
