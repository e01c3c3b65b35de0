package org.xenpv.harness.replay;

import java.util.List;

/**
 * A step the trace does not tell for certain ({@link org.xenpv.xenstore.trace.Ambiguity} from the
 * parser, or something the replay had to decide itself), and what the replay did about it. Reported
 * separately from divergences: an ambiguity is not a failure.
 *
 * @param line         the trace line concerned
 * @param kind         the parser's ambiguity kind ({@code TX_CONTEXT}, ...) or a replay one
 *                     ({@code CONNECTION_IGNORED}, {@code IMPLIED_TRANSACTION})
 * @param what         the parser's description
 * @param alternatives the possibilities, the one used first
 * @param replay       what the replay did ({@code sent in tx 1 (target tx 1)}, {@code not compared})
 */
public record AmbiguousStep(long line, String kind, String what, List<String> alternatives, String replay) {

    public AmbiguousStep {
        alternatives = List.copyOf(alternatives);
    }

    /** {@code line N: KIND: what; replay: ...}. */
    public String message() {
        return "line " + line + ": " + kind + ": " + what + (alternatives.isEmpty() ? "" : " " + alternatives)
                + "; replay: " + replay;
    }
}
