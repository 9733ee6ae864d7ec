package io.wstap.capture;

/** How a connection's bytes travel: in the clear, or inside TLS (the tap then sees the plaintext of SSLEngine/SSLSocket). */
public enum Transport {
    PLAIN, TLS
}
