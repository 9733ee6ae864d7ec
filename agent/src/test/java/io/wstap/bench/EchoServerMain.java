package io.wstap.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;

/**
 * The server side of {@link EchoBenchmark}: an echo WebSocket server (the agent tests' blocking-socket server) that
 * prints its port, echoes, and prints the bytes its connection threads (and wstap's writer thread) allocated between
 * the MARK and STOP lines on stdin (the client's measured window), so two runs can be compared per frame.
 */
public final class EchoServerMain {
    public static void main(String[] args) throws Exception {
        try (io.wstap.agent.it.BenchAccess.Server server = io.wstap.agent.it.BenchAccess.newServer()) {
            System.out.println("PORT " + server.port());
            System.out.flush();
            BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in));
            stdin.readLine(); // MARK: the end of the client's warm-up
            long app = allocatedByAllThreads(false);
            long writer = allocatedByAllThreads(true);
            stdin.readLine(); // STOP
            System.out.println("ALLOCATED " + (allocatedByAllThreads(false) - app) + " " + (allocatedByAllThreads(true) - writer));
        }
    }

    /**
     * Bytes allocated by the connection threads (the client keeps its connections open until this is read, so they
     * are still alive), or by wstap's writer thread alone.
     */
    static long allocatedByAllThreads(boolean writerOnly) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (java.lang.management.ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            // Only the threads that carry the traffic (one per connection), not main, which installed the agent.
            String name = info == null ? "" : info.getThreadName();
            if (writerOnly ? !name.equals("wstap-writer") : !name.equals("raw-ws-conn")) {
                continue;
            }
            long a = threads.getThreadAllocatedBytes(info.getThreadId());
            if (a > 0) {
                sum += a;
            }
        }
        return sum;
    }
}
