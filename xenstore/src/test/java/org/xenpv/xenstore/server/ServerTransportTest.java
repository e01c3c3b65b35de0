package org.xenpv.xenstore.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.netty.channel.epoll.Epoll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Choosing the server's transport: the {@value ServerTransport#PROPERTY} property and the epoll default. */
class ServerTransportTest {

    @AfterEach
    void clear() {
        System.clearProperty(ServerTransport.PROPERTY);
    }

    @Test
    void defaultIsEpollWhereTheNativeLibraryLoads() {
        assumeThat(Epoll.isAvailable()).as("native epoll transport not available here: %s",
                Epoll.unavailabilityCause()).isTrue();
        assertThat(ServerTransport.select()).isEqualTo(ServerTransport.EPOLL);
    }

    @Test
    void propertyForcesNio() {
        System.setProperty(ServerTransport.PROPERTY, "NIO");
        assertThat(ServerTransport.select()).isEqualTo(ServerTransport.NIO);
    }

    @Test
    void unknownTransportIsNamedInTheError() {
        System.setProperty(ServerTransport.PROPERTY, "kqueue");
        assertThatThrownBy(ServerTransport::select).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("xenpv.server.transport=kqueue").hasMessageContaining("nio or epoll");
    }
}
