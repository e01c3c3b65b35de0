package org.xenpv.xenstore.server;

/**
 * Every {@link XsServerTest} case again on the JDK NIO transport, the fallback where native epoll (the
 * default on Linux x86_64) is not available.
 */
class XsServerNioTest extends XsServerTest {

    @Override
    ServerTransport transport() {
        return ServerTransport.NIO;
    }
}
