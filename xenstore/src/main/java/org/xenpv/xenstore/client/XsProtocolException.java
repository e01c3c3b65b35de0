package org.xenpv.xenstore.client;

/**
 * The daemon sent something the wire protocol does not allow (reference §1.1): a reply longer
 * than {@code XENSTORE_PAYLOAD_MAX}, a reply of the wrong type, an unparsable payload.
 */
public final class XsProtocolException extends XsClientException {

    public XsProtocolException(String message) {
        super(message);
    }
}
