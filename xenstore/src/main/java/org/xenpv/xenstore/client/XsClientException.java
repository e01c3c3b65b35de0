package org.xenpv.xenstore.client;

import java.io.IOException;

/** Base of everything an xenstore client call can fail with. */
public sealed class XsClientException extends IOException
        permits XsErrorException, XsClosedException, XsTimeoutException, XsProtocolException {

    public XsClientException(String message) {
        super(message);
    }

    public XsClientException(String message, Throwable cause) {
        super(message, cause);
    }
}
