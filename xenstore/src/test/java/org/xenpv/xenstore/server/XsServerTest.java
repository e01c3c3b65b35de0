package org.xenpv.xenstore.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xenpv.xenstore.client.XsBytes;
import org.xenpv.xenstore.client.XsClientException;
import org.xenpv.xenstore.client.XsClosedException;
import org.xenpv.xenstore.client.XsErrorException;
import org.xenpv.xenstore.client.XsSocketClient;
import org.xenpv.xenstore.client.XsSocketMessage;
import org.xenpv.xenstore.trace.TraceRecordSink;
import org.xenpv.xenstore.wire.XsHeader;
import org.xenpv.xenstore.wire.XsType;

/**
 * The socket server on its own: framing (split, coalesced, pipelined, malformed), the server surviving
 * hostile clients, back-pressure, many connections at once, socket-file life cycle.
 */
class XsServerTest {

    private static final Duration T = Duration.ofSeconds(5);

    private Path dir;
    private XsServer server;
    private ByteArrayOutputStream trace;

    @BeforeEach
    void start() throws IOException {
        dir = Files.createTempDirectory(Path.of("/tmp"), "xsrv");
        trace = new ByteArrayOutputStream();
        XsServer.Builder b = XsServer.builder();
        if (transport() != null) {
            b.transport(transport());
        }
        server = b.listen(dir.resolve("socket")).maxOutputBytes(64 * 1024)
                .trace(TraceRecordSink.cxenstored(trace, java.time.Clock.systemUTC())).start();
    }

    /** The transport under test; null: the default ({@link ServerTransport#select()}). */
    ServerTransport transport() {
        return null;
    }

    @AfterEach
    void stop() {
        server.close();
        dir.toFile().delete();
    }

    private XsSocketClient client(String name) throws IOException {
        return XsSocketClient.connect(server.dom0Socket(), name, T);
    }

    private String traceText() {
        return server.call(s -> trace.toString(StandardCharsets.ISO_8859_1));
    }

    @Test
    void requestsSplitAcrossWritesAndCoalescedAreAnsweredInOrder() throws Exception {
        try (XsSocketClient c = client("split")) {
            c.write("/t", "v");
            byte[] read = frame(XsType.READ, 7, "/t\0");
            for (byte b : read) {
                c.sendRaw(new byte[] {b});
            }
            XsSocketMessage r = c.nextReply(T);
            assertThat(r.reqId()).isEqualTo(7);
            assertThat(new String(r.payload(), StandardCharsets.ISO_8859_1)).isEqualTo("v");
            ByteArrayOutputStream many = new ByteArrayOutputStream();
            for (int i = 0; i < 200; i++) {
                many.writeBytes(frame(XsType.WRITE, 1000 + i, "/p/" + i + "\0" + i));
            }
            c.sendRaw(many.toByteArray());
            for (int i = 0; i < 200; i++) {
                XsSocketMessage m = c.nextReply(T);
                assertThat(m.reqId()).isEqualTo(1000 + i);
                assertThat(m.type()).isEqualTo(XsType.WRITE.code());
            }
            assertThat(c.directory("/p")).hasSize(200);
        }
    }

    @Test
    void oversizeHeaderDropsOnlyThatConnection() throws Exception {
        try (XsSocketClient bad = client("bad"); XsSocketClient good = client("good")) {
            good.watch("/t", "tok");
            good.nextEvent(T);
            bad.write("/t/ok", "1");
            byte[] h = new XsHeader(XsType.WRITE.code(), 9, 0, 4097).toBytes();
            bad.sendRaw(h);
            assertThatThrownBy(() -> bad.nextReply(T)).isInstanceOf(XsClosedException.class);
            assertThat(good.readString("/t/ok")).isEqualTo("1");
            assertThat(good.nextEvent(T).stringList()).containsExactly("/t/ok", "tok");
        }
        assertThat(traceText()).containsPattern("CONN 0x[0-9a-f]+ ignored, reason 3");
    }

    @Test
    void garbageTypesAreAnsweredEnosysAndTheConnectionStays() throws Exception {
        try (XsSocketClient c = client("garbage")) {
            for (int type : new int[] {15, 16, 20, 23, 99, 0xffff, -1}) {
                int req = c.send(type, 0, XsBytes.nulTerminated("/t"));
                XsSocketMessage r = c.awaitReply(req, T);
                assertThat(r.isError()).as("type %d", type).isTrue();
                assertThat(r.errorName()).as("type %d", type).isEqualTo("ENOSYS");
            }
            assertThat(c.getDomainPath(0)).isEqualTo("/local/domain/0");
        }
    }

    @Test
    void randomBytesFromManyClientsNeverTakeTheServerDown() throws Exception {
        Random rnd = new Random(42);
        for (int i = 0; i < 30; i++) {
            try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                ch.connect(UnixDomainSocketAddress.of(server.dom0Socket()));
                byte[] junk = new byte[rnd.nextInt(9000)];
                rnd.nextBytes(junk);
                if (i % 3 == 0 && junk.length >= 16) {
                    // a plausible header with a small length, followed by junk
                    ByteBuffer.wrap(junk).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(12, rnd.nextInt(64));
                }
                ch.write(ByteBuffer.wrap(junk));
            } catch (IOException e) {
                // the server may have dropped us mid-write: fine
            }
        }
        try (XsSocketClient c = client("after")) {
            c.write("/alive", "yes");
            assertThat(c.readString("/alive")).isEqualTo("yes");
        }
    }

    @Test
    void aClientThatNeverReadsIsDroppedOnceItsOutputExceedsTheCap() throws Exception {
        try (SocketChannel lazy = SocketChannel.open(StandardProtocolFamily.UNIX);
                XsSocketClient writer = client("writer")) {
            lazy.connect(UnixDomainSocketAddress.of(server.dom0Socket()));
            lazy.write(ByteBuffer.wrap(frame(XsType.WATCH, 1, "/\0big\0")));
            assertThat(waitFor(() -> server.call(s -> s.connections().stream().anyMatch(x -> x.watchCount() == 1))))
                    .isTrue();
            String value = "x".repeat(1000);
            // every write fires an event of the lazy client's watch; it reads nothing
            for (int i = 0; i < 400 && server.connectionCount() == 2; i++) {
                writer.write("/data/" + "n".repeat(2000) + i, value);
            }
            assertThat(server.connectionCount()).as("the non-reading client was dropped").isEqualTo(1);
            writer.write("/still", "ok");
            assertThat(writer.readString("/still")).isEqualTo("ok");
        }
    }

    @Test
    void manyConcurrentClients() throws Exception {
        int n = 40;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int id = i;
                results.add(pool.submit(() -> {
                    try (XsSocketClient c = client("c" + id)) {
                        for (int k = 0; k < 20; k++) {
                            c.write("/many/" + id + "/" + k, Integer.toString(k));
                        }
                        return c.directory("/many/" + id).size();
                    }
                }));
            }
            for (Future<Integer> f : results) {
                assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo(20);
            }
        } finally {
            pool.shutdownNow();
        }
        int children = server.call(s -> s.node("/many").orElseThrow().childNames().size());
        assertThat(children).isEqualTo(n);
        assertThat(waitFor(() -> server.connectionCount() == 0)).isTrue();
    }

    @Test
    void closingTheServerRemovesTheSocketAndDisconnectsClients() throws Exception {
        XsSocketClient c = client("c");
        c.write("/x", "1");
        server.close();
        assertThat(Files.exists(dir.resolve("socket"))).isFalse();
        assertThatThrownBy(() -> c.nextReply(T)).isInstanceOf(XsClosedException.class);
        c.close();
    }

    @Test
    void aStaleSocketIsReplacedButALiveOneIsRefused() throws Exception {
        Path other = dir.resolve("other");
        try (java.nio.channels.ServerSocketChannel stale = java.nio.channels.ServerSocketChannel
                .open(StandardProtocolFamily.UNIX)) {
            stale.bind(UnixDomainSocketAddress.of(other));
        }
        assertThat(Files.exists(other)).as("a socket file left behind").isTrue();
        try (XsServer ignored = XsServer.builder().listen(other).start()) {
            try (XsSocketClient c = XsSocketClient.connect(other, "c", T)) {
                assertThat(c.getDomainPath(3)).isEqualTo("/local/domain/3");
            }
            assertThatThrownBy(() -> XsServer.builder().listen(other).start()).isInstanceOf(IOException.class)
                    .hasMessageContaining("another daemon");
        }
        Path file = dir.resolve("file");
        Files.writeString(file, "not a socket");
        assertThatThrownBy(() -> XsServer.builder().listen(file).start()).isInstanceOf(IOException.class)
                .hasMessageContaining("not a socket");
        Files.delete(file);
    }

    @Test
    void eventsOfOtherConnectionsArriveWhileAClientIsIdle() throws Exception {
        try (XsSocketClient w = client("watcher"); XsSocketClient a = client("writer")) {
            w.watch("/ev", "t");
            w.nextEvent(T);
            for (int i = 0; i < 50; i++) {
                a.write("/ev/" + i, "v");
            }
            for (int i = 0; i < 50; i++) {
                assertThat(w.nextEvent(T).stringList()).containsExactly("/ev/" + i, "t");
            }
            XsErrorException e = org.junit.jupiter.api.Assertions.assertThrows(XsErrorException.class,
                    () -> w.read("/nope"));
            assertThat(e.getMessage()).contains("ENOENT");
        }
    }

    @Test
    void aBusyPollingServerServesLikeTheDefaultOne() throws Exception {
        Path sock = dir.resolve("spin");
        try (XsServer spinning = XsServer.builder().listen(sock).spinMicros(200).start();
                XsSocketClient a = XsSocketClient.connect(sock, "a", T);
                XsSocketClient b = XsSocketClient.connect(sock, "b", T)) {
            b.watch("/s", "t");
            b.nextEvent(T);
            for (int i = 0; i < 100; i++) {
                a.write("/s/" + i, Integer.toString(i));
                assertThat(a.readString("/s/" + i)).isEqualTo(Integer.toString(i));
                assertThat(b.nextEvent(T).stringList()).containsExactly("/s/" + i, "t");
            }
            assertThat(spinning.connectionCount()).isEqualTo(2);
        }
    }

    static byte[] frame(XsType type, int reqId, String payload) {
        byte[] p = payload.getBytes(StandardCharsets.ISO_8859_1);
        byte[] h = new XsHeader(type.code(), reqId, 0, p.length).toBytes();
        byte[] all = new byte[h.length + p.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(p, 0, all, h.length, p.length);
        return all;
    }

    static boolean waitFor(java.util.function.BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (cond.getAsBoolean()) {
                return true;
            }
            Thread.sleep(10);
        }
        return cond.getAsBoolean();
    }

    @SuppressWarnings("unused")
    private static void ignore(XsClientException e) {
    }
}
