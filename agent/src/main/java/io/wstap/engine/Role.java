package io.wstap.engine;

/** Who sent the opening handshake's request (the client) and who answered it (the server). */
public enum Role {
    CLIENT, SERVER;

    public Role other() {
        return this == CLIENT ? SERVER : CLIENT;
    }

    public String label() {
        return this == CLIENT ? "client" : "server";
    }
}
