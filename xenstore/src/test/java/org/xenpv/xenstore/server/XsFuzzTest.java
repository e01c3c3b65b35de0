package org.xenpv.xenstore.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.LoggerFactory;
import org.xenpv.xenstore.daemon.XenStore;
import org.xenpv.xenstore.daemon.XsConnection;
import org.xenpv.xenstore.domain.SimpleDomainPlatform;
import org.xenpv.xenstore.store.NodeRecord;
import org.xenpv.xenstore.wire.XsFrameDecoder;
import org.xenpv.xenstore.wire.XsMessage;
import org.xenpv.xenstore.wire.XsPayload;
import org.xenpv.xenstore.wire.XsProtocolException;
import org.xenpv.xenstore.wire.XsType;

/**
 * Jazzer fuzz targets for untrusted input. In a normal build ({@code mvn verify}) they run in regression
 * mode over the seed corpus in {@code src/test/resources/org/xenpv/xenstore/server/XsFuzzTestInputs/};
 * {@code mvn -pl xenstore test -Dtest=XsFuzzTest -DJAZZER_FUZZ=1} fuzzes each target for a short while
 * (findings are written next to the seeds).
 *
 * <ul>
 * <li>{@link #frameDecoders}: any byte stream, cut into any chunks, decodes to the same frames with the
 * wire decoder and the server's Netty frame reader; frames re-encode to exactly the bytes they came
 * from; the only failure is {@code XsProtocolException} for a header {@code len > 4096}.</li>
 * <li>{@link #dispatcher}: arbitrary requests (types, ids, payloads, transaction ids) from two
 * unprivileged guests and a dom0 confined to its own subtree: nothing is thrown out of
 * {@code handle()}, the daemon logs no internal error, every request on a live connection gets exactly
 * one reply with its req_id and tx_id, committed data the fuzzed requests may not touch
 * ({@code /protected}) is unchanged, and the tree stays consistent.</li>
 * </ul>
 */
class XsFuzzTest {

    // ---------------------------------------------------------------- frame decoders

    @FuzzTest(maxDuration = "30s")
    void frameDecoders(FuzzedDataProvider data) throws Exception {
        int chunk = data.consumeInt(1, 97);
        byte[] stream = data.consumeRemainingAsBytes();

        // Reference: the server's reader over the whole stream (frames are handed out one by one, so the
        // frames before a bad header are kept, as cxenstored processes them).
        List<XsMessage> whole = new ArrayList<>();
        boolean wholeFailed = readAll(stream, stream.length, whole);
        List<XsMessage> netty = new ArrayList<>();
        boolean nettyFailed = readAll(stream, chunk, netty);
        assertThat(netty).isEqualTo(whole);
        assertThat(nettyFailed).isEqualTo(wholeFailed);

        // The wire decoder returns a call's frames only if the call succeeds: same frames without a
        // failure, a prefix of them with one.
        List<XsMessage> wire = new ArrayList<>();
        boolean wireFailed = false;
        XsFrameDecoder c = new XsFrameDecoder();
        for (int off = 0; off < stream.length && !wireFailed; off += chunk) {
            try {
                wire.addAll(c.decode(stream, off, Math.min(chunk, stream.length - off)));
            } catch (XsProtocolException e) {
                wireFailed = true;
                assertThat(e.reason()).isEqualTo(XsProtocolException.ERROR_PROTO);
            }
        }
        assertThat(wireFailed).isEqualTo(wholeFailed);
        if (wholeFailed) {
            assertThat(whole.subList(0, Math.min(wire.size(), whole.size()))).isEqualTo(wire);
        } else {
            assertThat(wire).isEqualTo(whole);
        }
        ByteArrayOutputStream re = new ByteArrayOutputStream();
        for (XsMessage m : whole) {
            assertThat(m.length()).isLessThanOrEqualTo(4096);
            re.writeBytes(m.encode());
        }
        byte[] prefix = re.toByteArray();
        assertThat(prefix.length).isLessThanOrEqualTo(stream.length);
        assertThat(java.util.Arrays.copyOf(stream, prefix.length)).isEqualTo(prefix);
    }

    /** Feeds {@code stream} to a {@link SocketFrameReader} in chunks; returns whether it failed. */
    private static boolean readAll(byte[] stream, int chunk, List<XsMessage> out) {
        SocketFrameReader reader = new SocketFrameReader();
        try {
            for (int off = 0; off < stream.length; off += chunk) {
                ByteBuf buf = Unpooled.wrappedBuffer(stream, off, Math.min(chunk, stream.length - off));
                try {
                    reader.read(buf, m -> out.add(m));
                } catch (XsProtocolException e) {
                    assertThat(e.reason()).isEqualTo(XsProtocolException.ERROR_PROTO);
                    assertThat(e.getMessage()).contains("> XENSTORE_PAYLOAD_MAX");
                    return true;
                } finally {
                    buf.release();
                }
            }
            return false;
        } finally {
            reader.release();
        }
    }

    // ---------------------------------------------------------------- request dispatcher

    private static final String[] GUEST_PATHS = {"", "x", "x/y", "data", "data/a/b", "/", "/protected",
        "/protected/x", "/protected/x/z", "/local/domain/5", "/local/domain/5/x", "/local/domain/6/y", "/fuzz/a",
        "@introduceDomain", "@releaseDomain", "/a//b", "/a/", "rel/../x", "/tool/xenstored"};
    private static final String[] DOM0_PATHS = {"/fuzz", "/fuzz/a", "/fuzz/a/b", "/fuzz/c", "rel", "rel/x",
        "/local/domain/5/d0", "/local/domain/6/d0", "@introduceDomain", "@releaseDomain"};
    private static final String[] WORDS = {"T", "F", "0", "1", "5", "6", "7", "n0", "r5", "w6", "b5", "n5", "tok",
        "help", "check", "quota", "quota 5", "", "4096", "2", "99"};
    /** Types dom0 may send: not CONTROL (it could write files), otherwise everything. */
    private static final int[] DOM0_TYPES = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 17, 18, 19, 21, 22};

    private record Actor(String name, XsConnection conn, List<XsMessage> inbox, boolean dom0) {
    }

    @FuzzTest(maxDuration = "60s")
    void dispatcher(FuzzedDataProvider data) {
        Logger daemonLog = (Logger) LoggerFactory.getLogger("org.xenpv.xenstore");
        ListAppender<ILoggingEvent> errors = new ListAppender<>();
        errors.start();
        daemonLog.addAppender(errors);
        try {
            runDispatcher(data);
            assertThat(errors.list).filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.ERROR))
                    .extracting(ILoggingEvent::getFormattedMessage).as("daemon internal errors").isEmpty();
        } finally {
            daemonLog.detachAppender(errors);
        }
    }

    private void runDispatcher(FuzzedDataProvider data) {
        SimpleDomainPlatform platform = new SimpleDomainPlatform().create(5).create(6);
        XenStore store = XenStore.builder().platform(platform).build();
        List<XsMessage> setupOut = new ArrayList<>();
        XsConnection setup = store.connect(0, true, setupOut::add);
        setup.handle(XsMessage.write(1, 0, "/protected/x", XsPayload.bytes("secret")));
        setup.handle(XsMessage.write(2, 0, "/protected/y", new byte[] {0, 1, 2, (byte) 0xff}));
        setup.handle(XsMessage.of(XsType.SET_PERMS, 3, 0, "/protected/x", "n0", "r5", "r6"));
        setup.handle(XsMessage.of(XsType.MKDIR, 4, 0, "/local/domain/5"));
        setup.handle(XsMessage.of(XsType.SET_PERMS, 5, 0, "/local/domain/5", "n5"));
        setup.handle(XsMessage.of(XsType.MKDIR, 6, 0, "/local/domain/6"));
        setup.handle(XsMessage.of(XsType.SET_PERMS, 7, 0, "/local/domain/6", "n6"));
        setup.handle(XsMessage.of(XsType.WATCH, 8, 0, "/", "all"));
        assertThat(setupOut).noneMatch(m -> m.type() == XsType.ERROR.code());
        Map<String, NodeRecord> protectedBefore = Map.of("/protected", store.node("/protected").orElseThrow(),
                "/protected/x", store.node("/protected/x").orElseThrow(),
                "/protected/y", store.node("/protected/y").orElseThrow());

        List<Actor> actors = new ArrayList<>();
        for (int domid : new int[] {5, 6}) {
            List<XsMessage> in = new ArrayList<>();
            actors.add(new Actor("guest" + domid, store.connect(domid, false, in::add), in, false));
        }
        List<XsMessage> dom0In = new ArrayList<>();
        actors.add(new Actor("dom0", store.connect(0, true, dom0In::add), dom0In, true));
        List<Integer> txIds = new ArrayList<>(List.of(0, 1, 2));

        for (int step = 0; step < 64 && data.remainingBytes() > 0; step++) {
            Actor a = actors.get(data.consumeInt(0, actors.size() - 1));
            XsMessage req = request(data, a.dom0(), txIds);
            a.inbox().clear();
            boolean live = !a.conn().isClosed() && !a.conn().isIgnored();
            try {
                a.conn().handle(req);
            } catch (Throwable t) {
                throw new AssertionError(a.name() + ": handle(" + req + ") threw", t);
            }
            List<XsMessage> replies = a.inbox().stream().filter(m -> m.type() != XsType.WATCH_EVENT.code()).toList();
            if (live) {
                assertThat(replies).as("%s: replies to %s", a.name(), req).hasSize(1);
                XsMessage r = replies.get(0);
                assertThat(r.reqId()).isEqualTo(req.reqId());
                assertThat(r.txId()).isEqualTo(req.txId());
                assertThat(r.length()).isLessThanOrEqualTo(4096);
                if (r.type() == XsType.TRANSACTION_START.code()) {
                    txIds.add(Integer.parseUnsignedInt(XsPayload.cString(r.payload(), 0)));
                }
            } else {
                assertThat(replies).as("%s is gone: no reply to %s", a.name(), req).isEmpty();
            }
        }

        // Nothing the fuzzed requests were allowed to do touches /protected.
        for (Map.Entry<String, NodeRecord> e : protectedBefore.entrySet()) {
            NodeRecord now = store.node(e.getKey()).orElse(null);
            assertThat(now).as("node %s after fuzzing", e.getKey()).isNotNull();
            assertThat(now.data()).as("data of %s", e.getKey()).isEqualTo(e.getValue().data());
            assertThat(now.perms()).as("perms of %s", e.getKey()).isEqualTo(e.getValue().perms());
        }
        List<XsMessage> check = new ArrayList<>();
        XsConnection reader = store.connect(0, true, check::add);
        reader.handle(XsMessage.of(XsType.READ, 1, 0, "/protected/x"));
        assertThat(check).singleElement().satisfies(m -> assertThat(m.payloadText()).isEqualTo("secret"));
        // The tree is consistent: every listed child exists.
        for (Map.Entry<String, NodeRecord> e : store.dump().entrySet()) {
            for (String child : e.getValue().childNames()) {
                String path = e.getKey().equals("/") ? "/" + child : e.getKey() + "/" + child;
                assertThat(store.node(path)).as("child %s of %s", child, e.getKey()).isPresent();
            }
        }
    }

    private static XsMessage request(FuzzedDataProvider data, boolean dom0, List<Integer> txIds) {
        int type = dom0 ? DOM0_TYPES[data.consumeInt(0, DOM0_TYPES.length - 1)]
                : data.consumeBoolean() ? data.consumeInt(0, 30) : data.consumeInt();
        int reqId = data.consumeInt();
        int txId = data.consumeBoolean() ? txIds.get(data.consumeInt(0, txIds.size() - 1)) : data.consumeInt(0, 3);
        byte[] payload;
        if (!dom0 && data.consumeBoolean()) {
            payload = data.consumeBytes(data.consumeInt(0, 300));
        } else {
            String[] paths = dom0 ? DOM0_PATHS : GUEST_PATHS;
            List<String> args = new ArrayList<>();
            args.add(paths[data.consumeInt(0, paths.length - 1)]);
            int more = data.consumeInt(0, 3);
            for (int i = 0; i < more; i++) {
                args.add(data.consumeBoolean() ? WORDS[data.consumeInt(0, WORDS.length - 1)]
                        : data.consumeAsciiString(data.consumeInt(0, 40)));
            }
            if (type == XsType.WRITE.code()) {
                payload = XsPayload.pathAndValue(args.get(0), XsPayload.bytes(String.join("\0", args.subList(1,
                        args.size()))));
            } else {
                payload = XsPayload.strings(args.toArray(new String[0]));
            }
        }
        return new XsMessage(type, reqId, txId, payload);
    }
}
