package org.xenpv.xenstore.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.xenpv.xenstore.trace.Traces.*;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Pairing, transaction inference and the ambiguity records of docs/traces.md. */
class ReconstructionTest {

    private static String in(String conn, String type, String payload) {
        return "IN " + conn + " 20261124 13:57:43 " + type + " (" + payload + ")\n";
    }

    private static String out(String conn, String type, String payload) {
        return "OUT " + conn + " 20261124 13:57:43 " + type + " (" + payload + ")\n";
    }

    private static List<Ambiguity> amb(List<TraceRecord> rs, Ambiguity.Kind k) {
        return only(rs, Ambiguity.class).stream().filter(a -> a.kind() == k).toList();
    }

    @Test
    void twoOpenTransactionsMakeRequestsAndEndAmbiguous() {
        List<TraceRecord> rs = cx(in("c", "TRANSACTION_START", " ") + out("c", "TRANSACTION_START", "1 ")
                + in("c", "TRANSACTION_START", " ") + out("c", "TRANSACTION_START", "2 ")
                + in("c", "WRITE", "/a v") + out("c", "WRITE", "OK ")
                + in("c", "TRANSACTION_END", "T ") + out("c", "TRANSACTION_END", "OK ")
                + in("c", "READ", "/a ") + out("c", "READ", "v"));
        List<Request> q = only(rs, Request.class);
        assertThat(q.get(1).tx()).isEqualTo(TxContext.inferred(0));          // START answered with an id: tx 0
        assertThat(q.get(2).tx()).isEqualTo(TxContext.ambiguous(2));         // latest open tx is the guess
        assertThat(q.get(3).tx()).isEqualTo(TxContext.ambiguous(2));
        assertThat(amb(rs, Ambiguity.Kind.TX_END_TARGET)).singleElement()
                .satisfies(a -> assertThat(a.alternatives()).containsExactly("tx 2", "tx 0", "tx 1"));
        assertThat(q.get(4).tx()).isEqualTo(TxContext.ambiguous(1));         // tx 2 closed, tx 1 still open
        assertThat(amb(rs, Ambiguity.Kind.TX_CONTEXT)).hasSize(2);
    }

    @Test
    void heldRequestKeepsOutputOrder() {
        List<TraceRecord> rs = cx(in("c", "TRANSACTION_START", " ") + out("c", "TRANSACTION_START", "1 ")
                + in("c", "TRANSACTION_END", "T ") + "DESTROY transaction 0x9\n" + "wrl: x\n"
                + out("c", "TRANSACTION_END", "OK "));
        assertThat(rs.stream().map(TraceRecord::line).toList()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(((Request) rs.get(2)).tx()).isEqualTo(TxContext.inferred(1));
        assertThat(stats(rs).txCommitted()).isEqualTo(1);
    }

    @Test
    void abortAndStats() {
        List<TraceRecord> rs = cx(in("c", "TRANSACTION_START", " ") + out("c", "TRANSACTION_START", "5 ")
                + in("c", "TRANSACTION_END", "F ") + out("c", "TRANSACTION_END", "OK "));
        assertThat(stats(rs).txAborted()).isEqualTo(1);
        assertThat(only(rs, Ambiguity.class)).isEmpty();
    }

    @Test
    void replyWithoutRequestAndUnansweredRequest() {
        List<TraceRecord> rs = cx(out("c", "READ", "v") + in("c", "READ", "/x ") + "DESTROY connection c\n");
        assertThat(only(rs, Reply.class).get(0).request()).isNull();
        assertThat(amb(rs, Ambiguity.Kind.REPLY_WITHOUT_REQUEST)).singleElement()
                .satisfies(a -> assertThat(a.line()).isEqualTo(1));
        assertThat(amb(rs, Ambiguity.Kind.REQUEST_NOT_ANSWERED)).singleElement()
                .satisfies(a -> assertThat(a.what()).contains("READ on c got no reply: its connection closed"));
    }

    @Test
    void replyTypeMismatch() {
        List<TraceRecord> rs = cx(in("c", "READ", "/x ") + out("c", "WRITE", "OK "));
        assertThat(amb(rs, Ambiguity.Kind.REPLY_TYPE_MISMATCH)).hasSize(1);
    }

    @Test
    void repliesPairPerConnectionAndEventsInterleave() {
        List<TraceRecord> rs = cx(in("a", "READ", "/x ") + in("b", "READ", "/y ") + out("b", "WATCH_EVENT", "/y t ")
                + out("b", "READ", "2") + out("a", "READ", "1"));
        List<Reply> p = only(rs, Reply.class);
        assertThat(p.get(0).request().payload()).isEqualTo(p("/y\0"));
        assertThat(p.get(1).request().payload()).isEqualTo(p("/x\0"));
    }

    @Test
    void jsonlPairsByReqIdOutOfOrder() {
        String j = "{\"kind\":\"msg\",\"dir\":\"in\",\"conn\":\"c\",\"type\":\"READ\",\"req_id\":1,\"tx_id\":0,\"payload\":\"L2EA\"}\n"
                + "{\"kind\":\"msg\",\"dir\":\"in\",\"conn\":\"c\",\"type\":\"READ\",\"req_id\":2,\"tx_id\":0,\"payload\":\"L2IA\"}\n"
                + "{\"kind\":\"msg\",\"dir\":\"out\",\"conn\":\"c\",\"type\":\"READ\",\"req_id\":2,\"tx_id\":0,\"payload\":\"Yg==\"}\n"
                + "{\"kind\":\"msg\",\"dir\":\"out\",\"conn\":\"c\",\"type\":\"READ\",\"req_id\":1,\"tx_id\":0,\"payload\":\"YQ==\"}\n";
        List<TraceRecord> rs = read(j, TraceOptions.DEFAULT);
        List<Reply> p = only(rs, Reply.class);
        assertThat(p.get(0).request().line()).isEqualTo(2);
        assertThat(p.get(1).request().line()).isEqualTo(1);
        assertThat(p.get(0).tx()).isEqualTo(TxContext.recorded(0));
    }

    @Test
    void oxenstoredErrorLoggedLaterIsNotPaired() {
        String d1 = "[20261124T13:51:03.512Z]  ";
        String d2 = "[20261124T13:51:03.712Z]  ";
        List<TraceRecord> rs = ox(d1 + "A5           rm        / \n" + d2 + "A5           error     EINVAL \n"
                + d2 + "A5           error     EINVAL \n");
        assertThat(only(rs, Reply.class)).allSatisfy(r -> assertThat(r.request()).isNull());
        List<Ambiguity> a = amb(rs, Ambiguity.Kind.REPLY_WITHOUT_REQUEST);
        assertThat(a).hasSize(2);
        assertThat(a.get(0).alternatives()).contains("answer to line 1");
    }

    @Test
    void watchEventFindsItsWatchByToken() {
        List<TraceRecord> rs = cx(in("c", "WATCH", "/a t ") + "CREATE watch 0x7\n" + out("c", "WATCH", "OK ")
                + in("c", "WATCH", "/b t ") + out("c", "WATCH", "OK ") + out("c", "WATCH_EVENT", "/b/c t ")
                + in("c", "UNWATCH", "/b t ") + out("c", "UNWATCH", "OK ") + out("c", "WATCH_EVENT", "/b/d t ")
                + "DESTROY watch 0x7\n");
        List<WatchEvent> e = only(rs, WatchEvent.class);
        assertThat(e.get(0).watchPath()).isEqualTo("/b");
        assertThat(e.get(1).watchPath()).isEqualTo("/a");
        assertThat(only(rs, WatchDestroy.class).get(0)).isEqualTo(new WatchDestroy(10, "c", "0x7", "/a", "t"));
    }

    @Test
    void withoutReconstructionNoAmbiguities() {
        List<TraceRecord> rs = read(in("c", "**UNKNOWN**", " ") + out("c", "READ", "a b"),
                TraceOptions.DEFAULT.withReconstruct(false));
        assertThat(only(rs, Ambiguity.class)).isEmpty();
        assertThat(only(rs, Request.class).get(0).tx()).isEqualTo(TxContext.UNKNOWN);
    }
}
