package io.wstap.samples;

import io.wstap.engine.CloseEvent;
import io.wstap.engine.CloseRecord;
import io.wstap.engine.Outcome;
import io.wstap.engine.Reconstruction;
import io.wstap.engine.Role;
import io.wstap.engine.TcpEnd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Headless Chromium (the Debian package) as a real browser client of {@link JettyEchoServer} under the agent: the
 * page of {@link ExternalPeerServer} opens a WebSocket, sends "hello" and on the echo navigates to another page.
 *
 * <p>What Chromium really does when the page goes away: it sends Close 1001 with no reason (no "going away" text),
 * Jetty answers Close 1001 and ends TCP first: clean, no finding, the client initiated.
 */
class ChromiumPeerIT {
    @TempDir
    Path dir;

    @Test
    void navigatingAwayClosesWith1001AndIsClean() throws Exception {
        String chromium = ExternalPeer.onPath("chromium", "apt-get install chromium");
        Path profile = Files.createDirectory(dir.resolve("profile"));
        Path capture = dir.resolve("chromium.wstap");
        ForkedApp.Result run = ExternalPeer.run(capture, "timeout", "30", chromium, "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile,
                "--virtual-time-budget=5000", "--dump-dom", "{page}");
        // The DOM Chromium dumps is the second page's: it did navigate away.
        assertTrue(run.stdout().contains("peer: <html><head></head><body><p>bye</p></body></html>"), run.stdout());
        assertTrue(run.stdout().lines().anyMatch("server saw 1001 null"::equals), run.stdout());

        Reconstruction r = ExternalPeer.serverView(capture).r();
        assertEquals(Outcome.CLEAN, r.outcome(), Capture.describe(r));
        assertEquals(List.of(), r.findings());
        assertEquals(Role.CLIENT, r.initiatorRole());
        assertEquals(List.of(Role.CLIENT, Role.SERVER), r.closeFrames().stream().map(CloseRecord::role).toList());
        assertEquals(List.of(1001, 1001), r.closeFrames().stream().map(CloseRecord::code).toList());
        assertEquals(List.of("", ""), r.closeFrames().stream().map(CloseRecord::reason).toList());
        assertEquals(new CloseEvent(1001, "", true), r.clientSaw());
        assertEquals(new CloseEvent(1001, "", true), r.serverSaw());
        assertEquals(Role.SERVER, r.tcpClosedByRole());
        assertEquals(TcpEnd.HALF_CLOSE, r.tcpEnd()); // Jetty's shutdownOutput() right after its Close, then close()
        assertEquals(2, r.framesFrom(Role.CLIENT)); // "hello", Close
        assertEquals(2, r.framesFrom(Role.SERVER)); // the echo, Close
        assertEquals("permessage-deflate", r.response().extensions());
    }
}
