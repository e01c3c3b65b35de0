package org.xenpv.core.devicemodel;

/** x86 port I/O as a guest does it ({@code IN}/{@code OUT}); the device model answers. */
public interface IoPorts {

    int in8(int port);

    int in16(int port);

    void out16(int port, int value);

    void out32(int port, int value);
}
