package io.wstap.engine;

/**
 * The two ends of a TCP connection as the driver sees them. The agent's LOCAL is this JVM and REMOTE its peer; a pcap
 * driver calls the TCP initiator LOCAL. Roles (client, server) come from the handshake, not from this.
 */
public enum Endpoint {
    LOCAL, REMOTE;

    public Endpoint other() {
        return this == LOCAL ? REMOTE : LOCAL;
    }
}
