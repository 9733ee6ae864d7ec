#!/usr/bin/env bash
# Host overhead, side by side in one run (issue #8, docs/benchmarks.md): Jetty 12 and Netty 4.2 echo servers, ws://
# and wss://, 64 B and 64 KiB messages, each arm B (agent, agent-jfr, agent-jfr-frames, jdk-socket-events, copy-tap)
# in A-B pairs against the same server with nothing attached. Prints every pair and a markdown table of medians
# (also written to target/bench/host-overhead.md).
# Usage: bench/host-overhead.sh [key=value ...], e.g. servers=netty transports=plain sizes=64 arms=agent pairs=5
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f agent/target/wstap-agent.jar ] && [ -f samples/target/app-classpath.txt ] || mvn -B -q package -DskipTests
exec java -cp "samples/target/classes:$(cat samples/target/app-classpath.txt)" \
     io.wstap.samples.bench.HostOverheadBenchmark "$@"
