package org.xenpv.xenbus.store;

import org.xenpv.xenstore.ring.FaultyRingStore;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xenpv.xenstore.wire.XsMessage;
import org.xenpv.xenstore.wire.XsType;

/** {@link StoreClient} against {@link FaultyRingStore} + the engine, deterministic kernel. */
class StoreClientTest {

    private static final int NEAR_WRAP = 0xFFFFFE80;
    private StoreWorld w;

    @AfterEach
    void close() {
        if (w != null) {
            w.close();
        }
    }

    private static String text(XsMessage m) {
        return new String(m.payload(), StandardCharsets.ISO_8859_1);
    }

    @Test
    void payloadsAreExactAndOpsReachTheStore() {
        w = new StoreWorld(1, 0);
        StoreClient c = w.client;
        AtomicReference<List<String>> dir = new AtomicReference<>();
        AtomicReference<String> value = new AtomicReference<>();
        w.run(() -> {
            c.write(null, "data", "x", "abc");
            c.printf(null, null, "data/n", "%d-%s", 42, "q");
            value.set(c.read(null, "data", "x"));
            dir.set(c.directory(null, null, "data"));
            c.permissionsSet(null, "data", "x", new StorePermission(w.guest.domid(), StorePermission.Mask.NONE),
                    new StorePermission(0, StorePermission.Mask.READ));
            c.remove(null, "data", "n");
        });
        assertThat(value.get()).isEqualTo("abc");
        assertThat(dir.get()).containsExactly("x", "n");
        assertThat(w.value(w.home() + "/data/x")).isEqualTo("abc");
        assertThat(w.value(w.home() + "/data/n")).isNull();
        List<String> wire = w.server.requests.stream().map(StoreClientTest::text).toList();
        assertThat(wire).containsExactly("data/x\0abc", "data/n\0" + "42-q", "data/x\0", "data\0",
                "data/x\0n" + w.guest.domid() + "\0r0\0", "data/n\0");
        assertThat(w.server.requests.stream().map(XsMessage::type).toList()).containsExactly(
                XsType.WRITE.code(), XsType.WRITE.code(), XsType.READ.code(), XsType.DIRECTORY.code(),
                XsType.SET_PERMS.code(), XsType.RM.code());
        List<Integer> ids = w.server.requests.stream().map(XsMessage::reqId).toList();
        for (int i = 1; i < ids.size(); i++) {
            assertThat(ids.get(i)).as("16-bit req_id counter").isEqualTo((ids.get(i - 1) + 1) & 0xffff);
        }
    }

    @Test
    void transactionPayloadsAreEmptyStringThenTOrF() {
        w = new StoreWorld(2, 0);
        StoreClient c = w.client;
        w.run(() -> {
            StoreTransaction t = c.transactionStart();
            c.write(t, "data", "t", "1");
            c.transactionEnd(t, false);
            StoreTransaction u = c.transactionStart();
            c.write(u, "data", "u", "2");
            c.transactionEnd(u, true);
        });
        List<XsMessage> starts = w.server.requests(XsType.TRANSACTION_START);
        assertThat(starts).allSatisfy(m -> {
            assertThat(m.payload()).containsExactly(0);
            assertThat(m.txId()).isZero();
        });
        List<XsMessage> ends = w.server.requests(XsType.TRANSACTION_END);
        assertThat(ends).extracting(StoreClientTest::text).containsExactly("F\0", "T\0");
        assertThat(ends.get(0).txId()).isNotZero();
        assertThat(w.server.requests(XsType.WRITE)).extracting(XsMessage::txId)
                .containsExactly(ends.get(0).txId(), ends.get(1).txId());
        assertThat(w.value(w.home() + "/data/t")).as("aborted").isNull();
        assertThat(w.value(w.home() + "/data/u")).isEqualTo("2");
    }

    @Test
    void errorsMapThroughXsdErrors() {
        w = new StoreWorld(3, 0);
        AtomicReference<StoreException> e = new AtomicReference<>();
        w.run(() -> {
            try {
                w.client.read(null, "data", "missing");
            } catch (StoreException x) {
                e.set(x);
            }
        });
        assertThat(e.get().status()).isEqualTo(StoreStatus.NAME_NOT_FOUND);
        assertThat(e.get().getMessage()).contains("READ data/missing");
    }

    @Test
    void errorStringsAreComparedWithStrncmpOverThePayloadLength() {
        assertThat(StoreErrors.fromErrorPayload("EAGAIN\0".getBytes(), "x").status()).isEqualTo(StoreStatus.RETRY);
        assertThat(StoreErrors.fromErrorPayload("EACCES\0".getBytes(), "x").status()).isEqualTo(StoreStatus.ACCESS_DENIED);
        assertThat(StoreErrors.fromErrorPayload("EPERM\0".getBytes(), "x").status()).isEqualTo(StoreStatus.ACCESS_DENIED);
        assertThat(StoreErrors.fromErrorPayload("EQUOTA\0".getBytes(), "x").status()).isEqualTo(StoreStatus.QUOTA_EXCEEDED);
        assertThat(StoreErrors.fromErrorPayload("ENOENT".getBytes(), "x").status()).as("no NUL still matches")
                .isEqualTo(StoreStatus.NAME_NOT_FOUND);
        assertThat(StoreErrors.fromErrorPayload("EAG".getBytes(), "x").errno()).as("prefix").isEqualTo("EAGAIN");
        assertThat(StoreErrors.fromErrorPayload("E".getBytes(), "x").errno()).as("EQUOTA is tried first").isEqualTo("EQUOTA");
        assertThat(StoreErrors.fromErrorPayload("EI".getBytes(), "x").errno()).as("first table entry").isEqualTo("EINVAL");
        assertThat(StoreErrors.fromErrorPayload(new byte[0], "x").status()).as("empty = EQUOTA")
                .isEqualTo(StoreStatus.QUOTA_EXCEEDED);
        assertThat(StoreErrors.fromErrorPayload("EWHAT\0".getBytes(), "x").status()).isEqualTo(StoreStatus.UNSUCCESSFUL);
        assertThat(StoreErrors.fromErrorPayload("EBUSY\0".getBytes(), "x").errno()).isEqualTo("EBUSY");
    }

    @Test
    void clientSidePathLimitsAre3072AbsoluteAnd2048Relative() {
        assertThat(StoreClient.path(null, "a".repeat(2048))).hasSize(2048);
        assertThatThrownBy(() -> StoreClient.path(null, "a".repeat(2049)))
                .isInstanceOfSatisfying(StoreException.class,
                        e -> assertThat(e.status()).isEqualTo(StoreStatus.INVALID_PARAMETER));
        assertThat(StoreClient.path("/" + "a".repeat(3000), "b".repeat(70))).hasSize(3072);
        assertThatThrownBy(() -> StoreClient.path("/" + "a".repeat(3000), "b".repeat(71)))
                .isInstanceOf(StoreException.class);
    }

    @Test
    void concurrentRequestsAreMatchedByReqIdWhenRepliesComeBackReversed() {
        w = new StoreWorld(4, 0);
        w.run(() -> {
            for (int i = 0; i < 3; i++) {
                w.client.write(null, "data", "k" + i, "v" + i);
            }
        });
        w.server.reorderBatch = 3;
        String[] got = new String[3];
        Runnable[] callers = new Runnable[3];
        for (int i = 0; i < 3; i++) {
            int k = i;
            callers[i] = () -> got[k] = w.client.read(null, "data", "k" + k);
        }
        w.runAll(Duration.ofMinutes(1), callers);
        assertThat(got).containsExactly("v0", "v1", "v2");
        List<XsMessage> reads = w.server.requests(XsType.READ);
        assertThat(reads).hasSize(3);
        assertThat(reads.stream().map(XsMessage::reqId).distinct().count()).isEqualTo(3);
    }

    @Test
    void unknownReqIdAndIgnoredTypesAreDropped() {
        w = new StoreWorld(5, 0);
        w.run(() -> w.client.write(null, "data", "a", "1"));
        int unused = (w.client.nextRequestId() + 100) & 0xffff;
        w.server.inject(new XsMessage(XsType.READ.code(), unused, 0, "zz".getBytes()).encode());
        w.server.inject(new XsMessage(XsType.GET_PERMS.code(), w.client.nextRequestId(), 0, "n0\0".getBytes()).encode());
        w.settle(Duration.ofSeconds(1));
        assertThat(w.client.spuriousResponses()).isEqualTo(1);
        assertThat(w.client.ignoredResponses()).isEqualTo(1);
        AtomicReference<String> v = new AtomicReference<>();
        w.run(() -> v.set(w.client.read(null, "data", "a")));
        assertThat(v.get()).isEqualTo("1");
    }

    @Test
    void watchTokensHaveTheDriversFormatAndTheInitialEventSetsTheWatch() {
        w = new StoreWorld(6, 0);
        AtomicReference<StoreWatch> watch = new AtomicReference<>();
        AtomicInteger fired = new AtomicInteger();
        w.run(() -> {
            watch.set(w.client.watchAdd("data", "w", 0xFFFFF80012345670L));
            if (watch.get().await(Duration.ofSeconds(1))) {
                fired.incrementAndGet();
            }
            w.client.write(null, "data", "w", "1");
            if (watch.get().await(Duration.ofSeconds(1))) {
                fired.incrementAndGet();
            }
        });
        StoreWatch sw = watch.get();
        assertThat(sw.token()).matches("TOK\\|FFFFF80012345670\\|[0-9A-F]{4}").hasSize(25);
        XsMessage req = w.server.requests(XsType.WATCH).get(0);
        assertThat(text(req)).isEqualTo("data/w\0" + sw.token() + "\0");
        assertThat(fired.get()).as("initial event, then the write's").isEqualTo(2);
        w.run(() -> w.client.watchRemove(sw));
        assertThat(w.server.requests(XsType.UNWATCH)).extracting(StoreClientTest::text)
                .containsExactly("data/w\0" + sw.token() + "\0");
    }

    @Test
    void malformedOrUnknownWatchEventsAreIgnored() {
        w = new StoreWorld(7, 0);
        AtomicReference<StoreWatch> watch = new AtomicReference<>();
        w.run(() -> watch.set(w.client.watchAdd("data", "w", 0x1000L)));
        w.settle(Duration.ofSeconds(1));
        StoreWatch sw = watch.get();
        long before = sw.sets();
        String tok = sw.token();
        String other = WatchToken.format(0x1000L, (sw.id() + 1) & 0xffff);
        List<byte[]> bad = List.of(
                ("data/w\0" + tok).getBytes(StandardCharsets.ISO_8859_1),              // no final NUL
                ("data/w\0" + tok + "\0\0").getBytes(StandardCharsets.ISO_8859_1),     // one byte too many
                ("data/w\0" + tok.toLowerCase() .replace("tok", "TOK") + "\0").getBytes(StandardCharsets.ISO_8859_1),
                ("data/w\0" + "XOK" + tok.substring(3) + "\0").getBytes(StandardCharsets.ISO_8859_1),
                ("data/w\0" + other + "\0").getBytes(StandardCharsets.ISO_8859_1),     // unknown id
                ("data/w\0" + WatchToken.format(0x2000L, sw.id()) + "\0").getBytes(StandardCharsets.ISO_8859_1));
        for (byte[] p : bad) {
            w.server.inject(new XsMessage(XsType.WATCH_EVENT.code(), 0, 0, p).encode());
            w.settle(Duration.ofMillis(100));
        }
        assertThat(sw.sets()).isEqualTo(before);
        assertThat(w.client.ignoredWatchEvents()).isEqualTo(bad.size());
        w.server.inject(new XsMessage(XsType.WATCH_EVENT.code(), 0, 0,
                ("data/w\0" + tok + "\0").getBytes(StandardCharsets.ISO_8859_1)).encode());
        w.settle(Duration.ofMillis(100));
        assertThat(sw.sets()).as("the byte-exact echo").isEqualTo(before + 1);
    }

    @Test
    void eventsCoalesceUntilTheOwnerWaits() {
        w = new StoreWorld(8, 0);
        AtomicReference<StoreWatch> watch = new AtomicReference<>();
        AtomicInteger wakes = new AtomicInteger();
        w.run(() -> {
            watch.set(w.client.watchAdd(null, "data", 7L));
            for (int i = 0; i < 5; i++) {
                w.client.write(null, "data", "c" + i, "x");
            }
            while (watch.get().await(Duration.ofMillis(10))) {
                wakes.incrementAndGet();
            }
        });
        assertThat(watch.get().sets()).isEqualTo(6);
        assertThat(wakes.get()).as("six events, one wake").isEqualTo(1);
    }

    @Test
    void theChannelIsKickedAfterConsumingAReplyOrEvent() {
        w = new StoreWorld(9, 0);
        w.run(() -> w.client.write(null, "data", "a", "1"));
        w.settle(Duration.ofSeconds(1));
        long n = w.server.notifications;
        long sends = w.client.sends();
        // An unsolicited event (unknown token): consuming it is the only thing the guest does.
        w.server.inject(new XsMessage(XsType.WATCH_EVENT.code(), 0, 0,
                ("x\0" + WatchToken.format(1, 1) + "\0").getBytes(StandardCharsets.ISO_8859_1)).encode());
        w.settle(Duration.ofSeconds(1));
        assertThat(w.client.ring().rsp().available()).isZero();
        assertThat(w.client.sends()).isEqualTo(sends + 1);
        assertThat(w.server.notifications).isEqualTo(n + 1);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, NEAR_WRAP, 0x7FFFFFF0, 1000})
    void bigValuesSplitAcrossPassesAndRingWrap(int start) {
        // 1900 bytes: more than the 1024-byte ring, less than the 2048-byte node quota of a domU.
        w = new StoreWorld(10, start);
        byte[] big = new byte[1900];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) ('a' + i % 26);
        }
        AtomicReference<byte[]> back = new AtomicReference<>();
        w.run(() -> {
            w.client.writeBytes(null, "data", "big", big);
            back.set(w.client.readBytes(null, "data", "big"));
        });
        assertThat(back.get()).isEqualTo(big);
        assertThat(w.server.requests(XsType.WRITE).get(0).payload()).hasSize("data/big\0".length() + 1900);
        assertThat(w.client.ring().req().prod() - start).as("bytes produced").isEqualTo(2 * 16 + 9 + 1900 + 9);
    }

    @Test
    void eagainMakesTheWholeTransactionRunAgain() {
        w = new StoreWorld(11, 0);
        w.server.eagainStorm = 3;
        AtomicInteger bodies = new AtomicInteger();
        w.run(() -> w.client.transaction(StoreClient.VIF_ATTEMPTS, tx -> {
            int n = bodies.incrementAndGet();
            w.client.write(tx, "data", "tx", Integer.toString(n));
            return null;
        }));
        assertThat(bodies.get()).isEqualTo(4);
        assertThat(w.client.transactionRetries()).isEqualTo(3);
        assertThat(w.server.requests(XsType.TRANSACTION_START)).hasSize(4);
        assertThat(w.value(w.home() + "/data/tx")).isEqualTo("4");
    }

    @Test
    void vifBoundStopsAfterTenAttemptsWhileVbdRetriesForever() {
        w = new StoreWorld(12, 0);
        w.server.eagainStorm = 30;
        AtomicInteger bodies = new AtomicInteger();
        AtomicReference<StoreException> e = new AtomicReference<>();
        w.run(() -> {
            try {
                w.client.transaction(StoreClient.VIF_ATTEMPTS, tx -> bodies.incrementAndGet());
            } catch (StoreException x) {
                e.set(x);
            }
        });
        assertThat(bodies.get()).isEqualTo(10);
        assertThat(e.get().status()).isEqualTo(StoreStatus.RETRY);
        bodies.set(0);
        w.run(() -> w.client.transaction(StoreClient.UNLIMITED, tx -> bodies.incrementAndGet()));
        assertThat(bodies.get()).isEqualTo(21);
    }

    @Test
    void aBodyThatThrowsAbortsTheTransaction() {
        w = new StoreWorld(13, 0);
        assertThatThrownBy(() -> w.run(() -> w.client.transaction(StoreClient.VIF_ATTEMPTS, tx -> {
            w.client.write(tx, "data", "y", "1");
            throw new IllegalStateException("body failed");
        }))).hasMessageContaining("body failed");
        assertThat(w.server.requests(XsType.TRANSACTION_END)).extracting(StoreClientTest::text).containsExactly("F\0");
        assertThat(w.value(w.home() + "/data/y")).isNull();
    }

    @Test
    void watchdogKicksAStalledRingAndTheCallerWaitsWithoutOverallTimeout() {
        w = new StoreWorld(14, 0);
        w.server.consumeDelay = Duration.ofSeconds(40);
        w.run(() -> w.client.write(null, "data", "slow", "1"));
        assertThat(w.client.watchdogFires()).isGreaterThanOrEqualTo(1);
        assertThat(w.client.waitTimeouts()).as("5 s slices").isGreaterThanOrEqualTo(5);
        assertThat(w.kernel.nanoTime()).isGreaterThanOrEqualTo(Duration.ofSeconds(40).toNanos());
        assertThat(w.value(w.home() + "/data/slow")).isEqualTo("1");
    }

    @Test
    void delayedRepliesAreWaitedForInSlices() {
        w = new StoreWorld(15, 0);
        w.server.replyDelay = Duration.ofSeconds(20);
        AtomicReference<String> v = new AtomicReference<>();
        w.run(() -> {
            w.client.write(null, "data", "d", "late");
            v.set(w.client.read(null, "data", "d"));
        });
        assertThat(v.get()).isEqualTo("late");
        assertThat(w.client.waitTimeouts()).isGreaterThanOrEqualTo(6);
        assertThat(w.client.fault()).isNull();
    }

    @Test
    void aReplyLengthOf4096IsAFaultThatFailsTheWaitingCall() {
        w = new StoreWorld(16, 0);
        w.server.stopped = true; // nobody answers; we answer by hand
        AtomicReference<StoreException> e = new AtomicReference<>();
        org.xenpv.core.sim.Actor a = w.kernel.spawn("caller", () -> {
            try {
                w.client.read(null, "data", "x");
            } catch (StoreException x) {
                e.set(x);
            }
        });
        w.settle(Duration.ofSeconds(1));
        byte[] hdr = new org.xenpv.xenstore.wire.XsHeader(XsType.READ.code(), w.client.nextRequestId() - 1 & 0xffff, 0,
                4096).toBytes();
        w.server.ring().rsp().write(hdr, 0, hdr.length);
        w.platform.dom0().evtchn().send(w.server.port());
        w.kernel.runUntil(a::finished, Duration.ofSeconds(30));
        assertThat(e.get().status()).isEqualTo(StoreStatus.RING_FAULT);
        assertThat(w.client.fault()).contains("len 4096");
    }

    @Test
    void strtoulParsesLikeTheDrivers() {
        assertThat(StoreClient.strtoul("1", 2)).isEqualTo(1);
        assertThat(StoreClient.strtoul("2", 2)).as("base-2 boolean of '2'").isZero();
        assertThat(StoreClient.strtoul("  42abc", 10)).isEqualTo(42);
        assertThat(StoreClient.strtoul("0x1F", 16)).isEqualTo(31);
        assertThat(StoreClient.strtoul("", 10)).isZero();
    }

    @Test
    void resumeDropsAPartialReply() {
        w = new StoreWorld(23, 0);
        w.run(() -> w.client.write(null, "data", "p", "0"));
        // Half a reply header from before the suspend: read by the client, its other half never comes.
        byte[] header = new XsMessage(XsType.READ.code(), 77, 0, "stale".getBytes(StandardCharsets.ISO_8859_1)).encode();
        w.server.inject(Arrays.copyOf(header, 8));
        w.settle(Duration.ofSeconds(1));
        assertThat(w.client.ring().rsp().cons()).as("the client took the half header").isEqualTo(w.client.ring().rsp().prod());
        w.client.suspendEarly();
        w.run(() -> {
            w.client.resumeLate();
            w.client.write(null, "data", "p", "1");
            assertThat(w.client.read(null, "data", "p")).isEqualTo("1");
        });
        assertThat(w.client.fault()).isNull();
    }

    @Test
    void suspendMakesWatchesAndTransactionsStaleAndResumeSetsEveryWatch() {
        w = new StoreWorld(17, 0);
        AtomicReference<StoreWatch> watch = new AtomicReference<>();
        AtomicReference<StoreTransaction> tx = new AtomicReference<>();
        w.run(() -> {
            watch.set(w.client.watchAdd("data", "s", 5L));
            watch.get().await(Duration.ofSeconds(1));
            tx.set(w.client.transactionStart());
        });
        w.client.suspendEarly();
        assertThat(watch.get().active()).isFalse();
        long sets = watch.get().sets();
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        w.run(() -> {
            w.client.resumeLate();
            try {
                w.client.write(tx.get(), "data", "s", "1");
            } catch (StoreException e) {
                errors.add(e);
            }
            try {
                w.client.transactionEnd(tx.get(), true);
            } catch (StoreException e) {
                errors.add(e);
            }
            w.client.watchRemove(watch.get());
        });
        assertThat(watch.get().sets()).isEqualTo(sets + 1);
        assertThat(errors).extracting(t -> ((StoreException) t).status())
                .containsExactly(StoreStatus.UNSUCCESSFUL, StoreStatus.RETRY);
        assertThat(w.server.requests(XsType.TRANSACTION_END)).as("stale END skips the wire").isEmpty();
        assertThat(w.server.requests(XsType.UNWATCH)).as("stale UNWATCH skips the wire").isEmpty();
        assertThat(Arrays.asList(w.server.requests(XsType.WRITE).toArray())).isEmpty();
    }

    @ParameterizedTest(name = "seed {0}")
    @org.junit.jupiter.params.provider.MethodSource("seeds")
    void concurrentCallersTransactionsAndWatchesAcrossSeeds(long seed) {
        w = new StoreWorld(seed, NEAR_WRAP - (int) seed * 37);
        StoreClient c = w.client;
        w.run(() -> c.write(null, "data", "counter", "0"));
        AtomicReference<StoreWatch> watch = new AtomicReference<>();
        w.run(() -> watch.set(c.watchAdd("data", "counter", seed)));
        List<String> mismatches = Collections.synchronizedList(new ArrayList<>());
        Runnable incrementer = () -> {
            for (int i = 0; i < 5; i++) {
                c.transaction(StoreClient.UNLIMITED, tx -> {
                    long v = c.readUnsigned(tx, "data", "counter", 10);
                    c.printf(tx, "data", "counter", "%d", v + 1);
                    return null;
                });
            }
        };
        Runnable writer = () -> {
            for (int i = 0; i < 20; i++) {
                String v = "v" + i + "-" + "x".repeat(i * 20);
                c.write(null, "data/keys", "k" + i, v);
                String back = c.read(null, "data/keys", "k" + i);
                if (!back.equals(v)) {
                    mismatches.add("k" + i + ": " + back);
                }
            }
        };
        w.runAll(Duration.ofMinutes(10), incrementer, incrementer, writer);
        assertThat(mismatches).isEmpty();
        assertThat(w.value(w.home() + "/data/counter")).isEqualTo("10");
        assertThat(watch.get().sets()).as("initial + one per commit").isGreaterThanOrEqualTo(11);
        assertThat(c.fault()).isNull();
        assertThat(c.spuriousResponses()).isZero();
        assertThat(w.server.requests(XsType.TRANSACTION_END)).hasSize(10 + (int) c.transactionRetries());
    }

    static java.util.stream.LongStream seeds() {
        return java.util.stream.LongStream.rangeClosed(1, 20);
    }
}
