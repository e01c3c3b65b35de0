package org.xenpv.xenstore.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xenpv.xenstore.client.XsClosedException;
import org.xenpv.xenstore.client.XsErrorException;
import org.xenpv.xenstore.client.XsSocketClient;
import org.xenpv.xenstore.client.XsSocketMessage;
import org.xenpv.xenstore.client.XsTimeoutException;
import org.xenpv.xenstore.daemon.XenStore;
import org.xenpv.xenstore.domain.XsQuotaConfig;

/**
 * Several clients of one guest's socket share the guest's single connection to the daemon: replies and
 * watch events reach the right client, a departing client's watches and transactions are removed, requests
 * wait for INTRODUCE and for the guest to get under its memory quota, RELEASE ends the clients.
 */
class GuestMuxTest {

    private static final Duration T = Duration.ofSeconds(5);

    private Path dir;
    private XsServer server;

    private void start(boolean introduceAtStart, XsQuotaConfig quotas) throws IOException {
        dir = Files.createTempDirectory(Path.of("/tmp"), "xsrv");
        server = XsServer.builder().listen(dir.resolve("socket")).quotas(quotas)
                .platform(new org.xenpv.xenstore.domain.SimpleDomainPlatform().create(5))
                .listenAsDomain(5, dir.resolve("dom5"), introduceAtStart).start();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        dir.toFile().delete();
    }

    private XsSocketClient guest(String name) throws IOException {
        return XsSocketClient.connect(dir.resolve("dom5"), name, T);
    }

    private XsSocketClient dom0() throws IOException {
        return XsSocketClient.connect(dir.resolve("socket"), "dom0", T);
    }

    private XenStore.DomainUsage usage() {
        return server.call(s -> s.domainUsage(5).orElseThrow());
    }

    @Test
    void watchEventsGoToTheClientThatRegisteredThem() throws Exception {
        start(true, new XsQuotaConfig());
        try (XsSocketClient a = guest("a"); XsSocketClient b = guest("b"); XsSocketClient d = dom0()) {
            a.watch("data", "t");
            b.watch("other", "t");
            b.watch("data", "u");
            assertThat(a.nextEvent(T).stringList()).containsExactly("data", "t");
            assertThat(b.nextEvent(T).stringList()).containsExactly("other", "t");
            assertThat(b.nextEvent(T).stringList()).containsExactly("data", "u");
            d.write("/local/domain/5/data/x", "1");
            assertThat(a.nextEvent(T).stringList()).containsExactly("data/x", "t");
            assertThat(b.nextEvent(T).stringList()).containsExactly("data/x", "u");
            d.write("/local/domain/5/other", "2");
            assertThat(b.nextEvent(T).stringList()).containsExactly("other", "t");
            // synchronise a, then check that it got nothing for "other"
            assertThat(a.getDomainPath(5)).isEqualTo("/local/domain/5");
            assertThat(a.takeEvents()).isEmpty();
            assertThat(usage().watches()).isEqualTo(3);
            // the same pair twice is one watch of one connection for the daemon
            assertThatThrownBy(() -> b.watch("data", "t")).isInstanceOf(XsErrorException.class).hasMessageContaining(
                    "EEXIST");
        }
    }

    @Test
    void aDepartingClientsWatchesAndTransactionsGo() throws Exception {
        start(true, new XsQuotaConfig());
        try (XsSocketClient keep = guest("keep"); XsSocketClient d = dom0()) {
            keep.watch("k", "keep");
            XsSocketClient gone = guest("gone");
            gone.watch("g", "gone");
            int tx = gone.transactionStart();
            gone.write(tx, "g/in-tx", new byte[] {'1'});
            assertThat(usage().watches()).isEqualTo(2);
            assertThat(usage().transactions()).isEqualTo(1);
            gone.close();
            assertThat(XsServerTest.waitFor(() -> usage().watches() == 1 && usage().transactions() == 0)).isTrue();
            assertThat(d.directory("/local/domain/5")).doesNotContain("g");
            assertThat(keep.nextEvent(T).stringList()).containsExactly("k", "keep");
            d.write("/local/domain/5/k", "still watched");
            assertThat(keep.nextEvent(T).stringList()).containsExactly("k", "keep");
        }
    }

    @Test
    void requestsWaitForIntroduceAndReleaseEndsTheClients() throws Exception {
        start(false, new XsQuotaConfig());
        try (XsSocketClient g = guest("g"); XsSocketClient d = dom0()) {
            int req = g.send(org.xenpv.xenstore.wire.XsType.GET_DOMAIN_PATH.code(), 0, "5\0".getBytes());
            assertThatThrownBy(() -> g.awaitReply(req, Duration.ofMillis(300))).isInstanceOf(XsTimeoutException.class);
            d.mkdir("/local/domain/5");
            d.setPerms("/local/domain/5", "n5");
            d.introduce(5, 0, 1);
            XsSocketMessage r = g.awaitReply(req, T);
            assertThat(r.stringList()).containsExactly("/local/domain/5");
            g.write("x", "1");
            assertThat(d.readString("/local/domain/5/x")).isEqualTo("1");
            d.release(5);
            assertThatThrownBy(() -> g.nextReply(T)).isInstanceOf(XsClosedException.class);
            assertThat(d.isDomainIntroduced(5)).isFalse();
        }
        try (XsSocketClient g2 = guest("g2"); XsSocketClient d = dom0()) {
            d.introduce(5, 0, 1);
            assertThat(g2.getDomainPath(5)).isEqualTo("/local/domain/5");
        }
    }

    /**
     * Pinned from the real cxenstored 4.17 with {@code -Q memory=3000} and a ring guest: the write that
     * would pass the hard memory quota fails with EIO ({@code write_node_raw()} turns the quota failure
     * into EIO), a READ whose reply is bigger than 16 bytes then gets ENOMEM, and once dom0 frees memory
     * the guest is served again.
     */
    @Test
    void aGuestAtItsMemoryQuotaGetsCxenstoredsErrors() throws Exception {
        XsQuotaConfig q = new XsQuotaConfig();
        QuotaOptions.apply(q, "memory", 3000);
        start(true, q);
        try (XsSocketClient g = guest("g"); XsSocketClient d = dom0()) {
            String big = "v".repeat(1000);
            g.write("n0", big);
            g.write("n1", big);
            assertThatThrownBy(() -> g.write("n2", big)).isInstanceOf(XsErrorException.class)
                    .hasMessageEndingWith("failed: EIO");
            assertThatThrownBy(() -> g.read("n0")).isInstanceOf(XsErrorException.class)
                    .hasMessageEndingWith("failed: ENOMEM");
            d.rm("/local/domain/5/n1");
            assertThat(g.readString("n0")).isEqualTo(big);
        }
    }
}
