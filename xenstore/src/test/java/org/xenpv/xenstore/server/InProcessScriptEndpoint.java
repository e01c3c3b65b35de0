package org.xenpv.xenstore.server;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.xenpv.xenstore.client.XsClientException;
import org.xenpv.xenstore.client.XsClosedException;
import org.xenpv.xenstore.client.XsConnection;
import org.xenpv.xenstore.client.XsInbox;
import org.xenpv.xenstore.client.XsSocketMessage;
import org.xenpv.xenstore.daemon.XenStore;
import org.xenpv.xenstore.domain.SimpleDomainPlatform;
import org.xenpv.xenstore.domain.XsDomainPlatform;
import org.xenpv.xenstore.script.XsDaemonConfig;
import org.xenpv.xenstore.script.XsEndpoint;
import org.xenpv.xenstore.script.XsEndpointFactory;
import org.xenpv.xenstore.wire.XsFrameDecoder;
import org.xenpv.xenstore.wire.XsMessage;
import org.xenpv.xenstore.wire.XsProtocolException;

/**
 * Our daemon in-process as an op-script endpoint, without sockets: each script connection is a client
 * {@link XsConnection} whose bytes are framed by the wire decoder and handed straight to the daemon on the
 * calling thread, replies landing in its inbox synchronously. Guests get their output once dom0 introduces
 * them and end when the daemon releases them, like ring guests.
 */
final class InProcessScriptEndpoint implements XsEndpoint {

    private final XenStore store;
    private final Map<Integer, Guest> guests = new HashMap<>();

    private InProcessScriptEndpoint(XsDaemonConfig config) {
        SimpleDomainPlatform exists = DomainSpec.platform(config.domains());
        XsDomainPlatform platform = new XsDomainPlatform() {
            @Override
            public DomainInfo domainInfo(int domid) {
                return exists.domainInfo(domid);
            }

            @Override
            public Consumer<XsMessage> introduce(int domid, String gfn, int port) {
                exists.introduce(domid, gfn, port);
                Guest g = guests.get(domid);
                return g == null ? m -> { } : g::deliver;
            }

            @Override
            public void domainConnected(int domid) {
                exists.domainConnected(domid);
            }

            @Override
            public void domainReleased(int domid) {
                exists.domainReleased(domid);
                Guest g = guests.get(domid);
                if (g != null) {
                    g.inbox().end(new XsClosedException(g.name(), XsClosedException.Kind.EOF, null));
                }
            }
        };
        store = XenStore.builder().platform(platform).quotas(DomainSpec.quotas(config)).build();
    }

    static XsEndpointFactory factory() {
        return InProcessScriptEndpoint::new;
    }

    /** The frame handling shared by dom0 and guest connections. */
    private abstract class Client implements XsConnection {
        private final String name;
        private final XsInbox inbox;
        private final XsFrameDecoder decoder = new XsFrameDecoder();
        private final AtomicInteger reqIds = new AtomicInteger(1);

        Client(String name) {
            this.name = name;
            this.inbox = new XsInbox(name);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public XsInbox inbox() {
            return inbox;
        }

        @Override
        public int nextReqId() {
            return reqIds.getAndIncrement();
        }

        @Override
        public Duration timeout() {
            return Duration.ofSeconds(2);
        }

        @Override
        public void sendRaw(byte[] bytes) throws XsClientException {
            if (inbox.endCause() != null) {
                throw inbox.endCause();
            }
            List<XsMessage> msgs;
            try {
                msgs = decoder.decode(ByteBuffer.wrap(bytes));
            } catch (XsProtocolException e) {
                protocolError(e.reason());
                inbox.end(new XsClosedException(name, XsClosedException.Kind.EOF, null));
                return;
            }
            for (XsMessage m : msgs) {
                request(m);
            }
        }

        void deliver(XsMessage m) {
            inbox.add(XsSocketMessage.of(m.type(), m.reqId(), m.txId(), m.payload()));
        }

        abstract void request(XsMessage m);

        abstract void protocolError(int reason);
    }

    private final class Dom0 extends Client {
        private final org.xenpv.xenstore.daemon.XsConnection conn;

        Dom0(String name) {
            super(name);
            conn = store.connect(0, true, this::deliver);
        }

        @Override
        void request(XsMessage m) {
            conn.handle(m);
            for (Guest g : guests.values()) {
                g.drain();
            }
        }

        @Override
        void protocolError(int reason) {
            conn.protocolError(reason);
        }

        @Override
        public void close() {
            conn.close();
            inbox().end(new XsClosedException(name(), XsClosedException.Kind.LOCAL, null));
        }
    }

    /** A guest's ring: requests before INTRODUCE wait, as in a ring nobody reads yet. */
    private final class Guest extends Client {
        private final int domid;
        private final Deque<XsMessage> waiting = new ArrayDeque<>();

        Guest(String name, int domid) {
            super(name);
            this.domid = domid;
        }

        @Override
        void request(XsMessage m) {
            waiting.add(m);
            drain();
        }

        void drain() {
            while (!waiting.isEmpty()) {
                var c = store.domainConnection(domid);
                if (c.isEmpty() || inbox().endCause() != null) {
                    return;
                }
                c.get().handle(waiting.poll());
            }
        }

        @Override
        void protocolError(int reason) {
            store.domainConnection(domid).ifPresent(c -> c.protocolError(reason));
        }

        @Override
        public void close() {
            inbox().end(new XsClosedException(name(), XsClosedException.Kind.LOCAL, null));
        }
    }

    @Override
    public XsConnection dom0(String name) {
        return new Dom0(name);
    }

    @Override
    public XsConnection guest(String name, int domid) {
        Guest g = new Guest(name, domid);
        guests.put(domid, g);
        return g;
    }

    @Override
    public String describe() {
        return "xenpv XenStore in-process";
    }

    @Override
    public void close() {
        // nothing to release: the daemon is garbage
    }
}
