package org.xenpv.xenstore.client;

/** Nothing matching arrived within the caller's timeout; the connection is still usable. */
public final class XsTimeoutException extends XsClientException {

    public XsTimeoutException(String message) {
        super(message);
    }
}
