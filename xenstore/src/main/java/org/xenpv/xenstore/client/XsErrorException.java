package org.xenpv.xenstore.client;

import org.xenpv.xenstore.wire.XsError;

/**
 * The daemon answered a request with an {@code XS_ERROR} reply ({@code xen/io/xs_wire.h}
 * {@code xsd_errors[]}; reference §1.3).
 */
public final class XsErrorException extends XsClientException {

    private final String errorName;

    public XsErrorException(String request, String errorName) {
        super(request + " failed: " + errorName);
        this.errorName = errorName;
    }

    /** The name as sent, without its NUL ({@code "ENOENT"}), possibly one not in {@link XsError}. */
    public String errorName() {
        return errorName;
    }

    /** The error, {@code null} if the name is not one of {@link XsError}. */
    public XsError error() {
        return XsError.parse(errorName);
    }
}
