package org.xenpv.cli;

import picocli.CommandLine;

/** {@code xenpv --version}: the build's version from the jar manifest. */
public final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = Xenpv.class.getPackage().getImplementationVersion();
        return new String[] {"xenpv " + (v != null ? v : "dev"), "Java " + System.getProperty("java.version")};
    }
}
