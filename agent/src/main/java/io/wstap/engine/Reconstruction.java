package io.wstap.engine;

import io.wstap.wire.HttpHead;

import java.util.List;

/**
 * What wstap reconstructs of one connection (RULES.md, "The reconstruction of each connection"): a snapshot, built by
 * {@link Connection#reconstruction()}; equal snapshots mean the same story, which is how tests compare the byte-fed
 * and the event-fed engine, or a stream split at random points with the whole stream.
 *
 * <p>Times are the driver's monotonic nanos; -1 means "did not happen". Text fields are never null unless stated.
 *
 * @param connectionId      the driver's id (unique per capture)
 * @param webSocket         true once an upgrade request was seen (or the connection was joined mid-stream)
 * @param protocol          the dialect, null when not WebSocket
 * @param clientEndpoint    which endpoint is the client, null while unknown
 * @param joinedMidStream   the opening handshake was not seen (late attach)
 * @param request           the upgrade request, null when not seen
 * @param requestTimeNanos  when it completed
 * @param response          the answer to it, null when not seen
 * @param responseTimeNanos when it completed
 * @param closeFrames       the first Close frame of each side, in the order seen
 * @param initiator         the endpoint whose Close came first, null when none
 * @param tcpClosedBy       the endpoint that first ended TCP, null while open
 * @param tcpEnd            how it did, null while open
 * @param tcpCloseTimeNanos when it did
 * @param outcome           how the connection ended; null when not WebSocket
 * @param clientSaw         what the client's application saw (null while open or unknown)
 * @param serverSaw         what the server's application saw (null while open, unknown or never accepted)
 * @param localFrames       frames sent by {@link Endpoint#LOCAL}
 * @param remoteFrames      frames sent by {@link Endpoint#REMOTE}
 * @param findings          every finding, in the order raised
 */
public record Reconstruction(
        long connectionId,
        boolean webSocket,
        Protocol protocol,
        Endpoint clientEndpoint,
        boolean joinedMidStream,
        HttpHead request,
        long requestTimeNanos,
        HttpHead response,
        long responseTimeNanos,
        List<CloseRecord> closeFrames,
        Endpoint initiator,
        Endpoint tcpClosedBy,
        TcpEnd tcpEnd,
        long tcpCloseTimeNanos,
        Outcome outcome,
        CloseEvent clientSaw,
        CloseEvent serverSaw,
        long localFrames,
        long remoteFrames,
        List<Finding> findings) {

    /** The role of {@code e}, or null while roles are unknown. */
    public Role roleOf(Endpoint e) {
        return e == null || clientEndpoint == null ? null : e == clientEndpoint ? Role.CLIENT : Role.SERVER;
    }

    /** Frames sent by the side with {@code role}; -1 while roles are unknown. */
    public long framesFrom(Role role) {
        if (clientEndpoint == null) {
            return -1;
        }
        boolean local = (role == Role.CLIENT) == (clientEndpoint == Endpoint.LOCAL);
        return local ? localFrames : remoteFrames;
    }

    /** The role of whoever sent the first Close, or null. */
    public Role initiatorRole() {
        return roleOf(initiator);
    }

    /** The role of whoever first ended TCP, or null. */
    public Role tcpClosedByRole() {
        return roleOf(tcpClosedBy);
    }
}
