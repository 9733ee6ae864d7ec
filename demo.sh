#!/usr/bin/env bash
# The wstap demo: build everything, run the seed scenarios (real WebSocket exchanges on 127.0.0.1: a clean close, a
# server that drops TCP, an application that closes with 1002, an unmasked client frame, a Close never answered...)
# under the agent, then print the analyzer's report of the capture.
set -euo pipefail
cd "$(dirname "$0")"

mvn -B -q package -DskipTests

out=target/demo
mkdir -p "$out"
rm -f "$out"/demo*.wstap "$out"/report.json "$out"/report.html   # the agent never overwrites a capture
capture="$out/demo.wstap"

echo "== running the seed scenarios under the agent"
java -javaagent:agent/target/wstap-agent.jar=file="$capture" -cp samples/target/classes \
     io.wstap.samples.raw.SeedScenarios 2>&1 | grep -v 'Sharing is only supported for boot loader classes'

echo
echo "== wstap analyze $capture"
status=0
java -jar analyzer/target/wstap.jar analyze "$capture" || status=$?
java -jar analyzer/target/wstap.jar analyze --format json -o "$out/report.json" "$capture" || true
java -jar analyzer/target/wstap.jar analyze --format html -o "$out/report.html" "$capture" || true
echo
echo "JSON report: $out/report.json (exit code $status: 1 means findings at or above 'error', as a CI gate would see it)"
echo "HTML report: $out/report.html (open it in a browser: one offline page, a sequence diagram per connection)"
