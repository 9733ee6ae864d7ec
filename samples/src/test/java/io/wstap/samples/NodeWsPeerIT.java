package io.wstap.samples;

import io.wstap.engine.CloseEvent;
import io.wstap.engine.CloseRecord;
import io.wstap.engine.Outcome;
import io.wstap.engine.Reconstruction;
import io.wstap.engine.Role;
import io.wstap.engine.TcpEnd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Node's {@code ws} package (samples/node/client.js, ws 8.x) as a real non-JVM client of {@link JettyEchoServer}
 * under the agent: the capture is the server's socket only.
 *
 * <p>What they really do: ws offers permessage-deflate and Jetty accepts it. On {@code ws.close(1000, "bye")} Jetty
 * answers with the same code and reason and ends TCP first: clean, no finding. On {@code ws.terminate()} Node
 * destroys its socket (a FIN, no Close frame): abrupt, WS301 on the client, both ends saw 1006.
 */
class NodeWsPeerIT {
    @TempDir
    Path dir;

    private Reconstruction run(String mode, String... expectedLines) throws Exception {
        Path capture = dir.resolve("node-" + mode + ".wstap");
        String node = ExternalPeer.node();
        ForkedApp.Result run = ExternalPeer.run(capture, node, ExternalPeer.NODE_DIR.resolve("client.js").toString(), "{ws}", mode);
        for (String line : expectedLines) {
            assertTrue(run.stdout().lines().anyMatch(line::equals), line + " in\n" + run.stdout());
        }
        Capture.View server = ExternalPeer.serverView(capture);
        assertEquals("permessage-deflate", server.r().response().extensions(), Capture.describe(server.r()));
        return server.r();
    }

    private static List<String> rules(Reconstruction r) {
        return r.findings().stream().map(f -> f.rule().id()).toList();
    }

    @Test
    void nodeClosingWith1000IsCleanWithNoFinding() throws Exception {
        Reconstruction r = run("close", "peer: node received hello", "peer: node closed 1000 bye", "server saw 1000 bye");
        assertEquals(Outcome.CLEAN, r.outcome(), Capture.describe(r));
        assertEquals(List.of(), rules(r));
        assertEquals(Role.CLIENT, r.initiatorRole());
        assertEquals(List.of(Role.CLIENT, Role.SERVER), r.closeFrames().stream().map(CloseRecord::role).toList());
        assertEquals(List.of(1000, 1000), r.closeFrames().stream().map(CloseRecord::code).toList());
        assertEquals(new CloseEvent(1000, "bye", true), r.clientSaw());
        assertEquals(new CloseEvent(1000, "bye", true), r.serverSaw());
        assertEquals(Role.SERVER, r.tcpClosedByRole());
        assertEquals(TcpEnd.HALF_CLOSE, r.tcpEnd()); // Jetty's shutdownOutput() right after its Close, then close()
        assertEquals(2, r.framesFrom(Role.CLIENT)); // "hello", Close
        assertEquals(2, r.framesFrom(Role.SERVER)); // the echo, Close
    }

    @Test
    void nodeTerminatingIsAbruptWs301FromTheClient() throws Exception {
        Reconstruction r = run("terminate", "peer: node received hello", "peer: node closed 1006 ");
        assertEquals(Outcome.ABRUPT, r.outcome(), Capture.describe(r));
        assertEquals(List.of("WS301"), rules(r));
        assertEquals(Role.CLIENT, r.findings().get(0).role());
        assertEquals(List.of(), r.closeFrames());
        assertEquals(Role.CLIENT, r.tcpClosedByRole());
        assertEquals(TcpEnd.FIN, r.tcpEnd());
        assertEquals(new CloseEvent(1006, "", false), r.clientSaw());
        assertEquals(new CloseEvent(1006, "", false), r.serverSaw());
        assertEquals(1, r.framesFrom(Role.CLIENT));
        assertEquals(1, r.framesFrom(Role.SERVER));
    }
}
