package org.xenpv.xenstore.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xenpv.xenstore.wire.XsError;
import org.xenpv.xenstore.wire.XsHeader;
import org.xenpv.xenstore.wire.XsType;

/** The socket client against a scripted fake daemon (no Xen needed). */
class XsSocketClientTest {

    private static final Duration T = Duration.ofSeconds(5);

    private Path dir;
    private ServerSocketChannel server;
    private XsSocketClient client;
    private SocketChannel peer;

    @BeforeEach
    void listen() throws IOException {
        dir = Files.createTempDirectory(Path.of("/tmp"), "xsc");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(dir.resolve("s")));
        client = XsSocketClient.connect(dir.resolve("s"), "c", Duration.ofMillis(500));
        peer = server.accept();
    }

    @AfterEach
    void cleanUp() throws IOException {
        client.close();
        peer.close();
        server.close();
        Files.deleteIfExists(dir.resolve("s"));
        Files.delete(dir);
    }

    private byte[] receive(int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (peer.read(b) < 0) {
                throw new IOException("client closed");
            }
        }
        return b.array();
    }

    private XsSocketMessage receiveMessage() throws IOException {
        XsHeader h = XsHeader.decode(ByteBuffer.wrap(receive(16)));
        return new XsSocketMessage(h, receive(h.len()));
    }

    private void reply(XsSocketMessage m) throws IOException {
        peer.write(ByteBuffer.wrap(m.toBytes()));
    }

    @Test
    void sendsExactlyTheBytesLibxenstoreSends() throws Exception {
        int req = client.send(XsType.READ.code(), 0, XsBytes.strings("/foo"));
        assertThat(req).isEqualTo(1);
        byte[] wire = receive(21);
        assertThat(XsBytes.hex(wire)).isEqualTo("02000000" + "01000000" + "00000000" + "05000000" + "2f666f6f00");
    }

    @Test
    void explicitHeaderFieldsAndLyingLengthsGoOutUnchanged() throws Exception {
        client.send(99, 0xdeadbeef, 7, new byte[] {1, 2});
        assertThat(XsBytes.hex(receive(18))).isEqualTo("63000000" + "efbeadde" + "07000000" + "02000000" + "0102");
        client.send(new XsHeader(XsType.WRITE.code(), 1, 0, 4097), XsBytes.latin1("/x"));
        assertThat(XsBytes.hex(receive(18))).isEqualTo("0b000000" + "01000000" + "00000000" + "01100000" + "2f78");
    }

    @Test
    void eventsBeforeAndAfterTheReplyAreKeptInArrivalOrder() throws Exception {
        Thread t = new Thread(() -> {
            try {
                XsSocketMessage r = receiveMessage();
                reply(XsSocketMessage.of(15, 0, 0, XsBytes.strings("/t", "a")));
                // split the reply across two writes
                byte[] ok = XsSocketMessage.of(r.type(), r.reqId(), r.txId(), XsBytes.strings("OK")).toBytes();
                peer.write(ByteBuffer.wrap(Arrays.copyOfRange(ok, 0, 5)));
                peer.write(ByteBuffer.wrap(Arrays.copyOfRange(ok, 5, ok.length)));
                reply(XsSocketMessage.of(15, 0, 0, XsBytes.strings("/t", "b")));
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        t.start();
        client.write("/t", "v");
        t.join();
        assertThat(client.nextEvent(T).stringList()).containsExactly("/t", "a");
        assertThat(client.nextEvent(T).stringList()).containsExactly("/t", "b");
        assertThat(client.takeEvents()).isEmpty();
    }

    @Test
    void errorReplyBecomesXsErrorException() throws Exception {
        Thread t = new Thread(() -> {
            try {
                XsSocketMessage r = receiveMessage();
                reply(XsSocketMessage.of(16, r.reqId(), r.txId(), XsBytes.strings("ENOENT")));
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        t.start();
        assertThatThrownBy(() -> client.read(7, "/nope"))
                .isInstanceOfSatisfying(XsErrorException.class, e -> {
                    assertThat(e.error()).isEqualTo(XsError.ENOENT);
                    assertThat(e.getMessage()).contains("READ").contains("/nope");
                });
        t.join();
    }

    @Test
    void timeoutLeavesTheConnectionUsable() throws Exception {
        assertThatThrownBy(() -> client.nextReply(Duration.ofMillis(50))).isInstanceOf(XsTimeoutException.class)
                .hasMessageContaining("c: no reply within 50 ms");
        reply(XsSocketMessage.of(2, 9, 0, XsBytes.latin1("late")));
        assertThat(client.nextReply(T).payload()).isEqualTo(XsBytes.latin1("late"));
    }

    @Test
    void daemonClosingIsEofAfterQueuedMessages() throws Exception {
        reply(XsSocketMessage.of(2, 1, 0, XsBytes.latin1("v")));
        peer.close();
        assertThat(client.next(T).reqId()).isEqualTo(1);
        assertThatThrownBy(() -> client.next(T)).isInstanceOfSatisfying(XsClosedException.class,
                e -> assertThat(e.kind()).isEqualTo(XsClosedException.Kind.EOF));
        assertThat(client.isOpen()).isFalse();
    }

    @Test
    void daemonResettingIsReset() throws Exception {
        client.sendRaw(new byte[100]);
        receive(1); // leave 99 unread bytes: closing now makes the kernel reset the peer
        peer.close();
        assertThatThrownBy(() -> client.next(T)).isInstanceOfSatisfying(XsClosedException.class,
                e -> assertThat(e.kind()).isIn(XsClosedException.Kind.RESET, XsClosedException.Kind.EOF));
    }

    @Test
    void oversizeReplyEndsTheConnectionWithAProtocolError() throws Exception {
        peer.write(ByteBuffer.wrap(new XsHeader(2, 1, 0, 5000).toBytes()));
        assertThatThrownBy(() -> client.next(T)).isInstanceOf(XsProtocolException.class)
                .hasMessageContaining("5000");
    }

    @Test
    void replyOfTheWrongTypeIsAProtocolError() throws Exception {
        Thread t = new Thread(() -> {
            try {
                XsSocketMessage r = receiveMessage();
                reply(XsSocketMessage.of(XsType.DIRECTORY.code(), r.reqId(), 0, XsBytes.strings("OK")));
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        t.start();
        assertThatThrownBy(() -> client.mkdir("/x")).isInstanceOf(XsProtocolException.class)
                .hasMessageContaining("reply to MKDIR");
        t.join();
    }

    @Test
    void repliesAreMatchedByReqId() throws Exception {
        Thread t = new Thread(() -> {
            try {
                XsSocketMessage r = receiveMessage();
                reply(XsSocketMessage.of(2, 999, 0, XsBytes.latin1("stray")));
                reply(XsSocketMessage.of(2, r.reqId(), 0, XsBytes.latin1("mine")));
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        t.start();
        assertThat(client.readString("/x")).isEqualTo("mine");
        t.join();
        assertThat(client.nextReply(T).reqId()).isEqualTo(999);
    }

    @Test
    void localCloseIsReportedAsLocal() {
        client.close();
        assertThatThrownBy(() -> client.next(T)).isInstanceOfSatisfying(XsClosedException.class,
                e -> assertThat(e.kind()).isEqualTo(XsClosedException.Kind.LOCAL));
        assertThatThrownBy(() -> client.sendRaw(new byte[1])).isInstanceOf(XsClosedException.class);
    }

    @Test
    void connectToAMissingSocketNamesIt() {
        assertThatThrownBy(() -> XsSocketClient.connect(dir.resolve("nope")))
                .isInstanceOf(IOException.class).hasMessageContaining(dir.resolve("nope").toString());
    }
}
