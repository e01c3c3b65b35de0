package org.xenpv.xenstore.script;

import java.io.IOException;

/** Starts a fresh daemon configured for one script. */
@FunctionalInterface
public interface XsEndpointFactory {

    XsEndpoint start(XsDaemonConfig config) throws IOException;
}
