package org.xenpv.bench.store;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.xenpv.xenstore.daemon.XenStore;
import org.xenpv.xenstore.daemon.XsConnection;
import org.xenpv.xenstore.wire.XsMessage;
import org.xenpv.xenstore.wire.XsPayload;
import org.xenpv.xenstore.wire.XsType;

/**
 * The daemon engine's hot paths, in-process (no transport): READ, WRITE, a WRITE that fires the watches of
 * several other connections, and a transaction (start, read, write, commit). Each invocation is one
 * request (or the four requests of a transaction) through {@link XsConnection#handle}, replies and events
 * going to a {@link Blackhole}. Run: {@code java -jar bench/target/benchmarks.jar XenStoreBenchmark}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class XenStoreBenchmark {

    /** Watchers on the written node's parent for {@link #writeFiringWatches}. */
    @Param({"4"})
    public int watchers;

    private XenStore store;
    private XsConnection conn;
    private XsMessage read;
    private XsMessage write;
    private XsMessage watchedWrite;
    private XsMessage txStart;
    private byte[] value;
    private int txCounter;
    private int lastTxId;
    private Blackhole sink;

    @Setup(Level.Trial)
    public void setUp(Blackhole bh) {
        sink = bh;
        store = XenStore.create();
        conn = store.connect(0, true, m -> {
            if (m.type() == XsType.TRANSACTION_START.code()) {
                lastTxId = Integer.parseInt(XsPayload.cString(m.payload(), 0));
            }
            sink.consume(m);
        });
        value = XsPayload.bytes("0123456789abcdef0123456789abcdef");
        conn.handle(XsMessage.write(1, 0, "/bench/node", value));
        read = XsMessage.of(XsType.READ, 2, 0, "/bench/node");
        write = XsMessage.write(3, 0, "/bench/node", value);
        watchedWrite = XsMessage.write(4, 0, "/watched/dir/node", value);
        for (int i = 0; i < watchers; i++) {
            XsConnection w = store.connect(0, true, m -> sink.consume(m));
            w.handle(XsMessage.of(XsType.WATCH, 1, 0, "/watched", "tok" + i));
        }
        txStart = XsMessage.of(XsType.TRANSACTION_START, 5, 0, "");
    }

    @Benchmark
    public void read() {
        conn.handle(read);
    }

    @Benchmark
    public void write() {
        conn.handle(write);
    }

    @Benchmark
    public void writeFiringWatches() {
        conn.handle(watchedWrite);
    }

    /** TRANSACTION_START, READ and WRITE inside it, TRANSACTION_END T (no conflict). */
    @Benchmark
    public void transactionCommit() {
        XsConnection c = conn;
        c.handle(txStart);
        int tx = lastTxId;
        String node = "/bench/tx/n" + (txCounter++ & 63);
        c.handle(XsMessage.of(XsType.READ, 6, tx, "/bench/node"));
        c.handle(XsMessage.write(7, tx, node, value));
        c.handle(XsMessage.of(XsType.TRANSACTION_END, 8, tx, "T"));
    }
}
