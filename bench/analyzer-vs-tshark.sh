#!/usr/bin/env bash
# One run, side by side: real WebSocket echo traffic on 127.0.0.1 captured at once by the wstap agent (in the server
# JVM) and by dumpcap (pcap), then the same report's data computed three ways, each timed (median of RUNS):
#   wstap analyze echo.wstap   (the agent's capture)
#   wstap analyze echo.pcap    (the packet capture of the same traffic)
#   tshark -r echo.pcap -Y websocket -T fields ... (the fields the report needs)
# and the capture sizes per frame. Needs: the built jars (mvn -B -q package -DskipTests), dumpcap and tshark
# (apt-get install tshark), root or the capture capability for dumpcap.
# Usage: bench/analyzer-vs-tshark.sh [SECONDS=10] [CONNECTIONS=16] [SIZE=64] [RUNS=3]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_LOAD=${1:-10}; CONNECTIONS=${2:-16}; SIZE=${3:-64}; RUNS=${4:-3}
OUT=target/bench/tshark; rm -rf "$OUT"; mkdir -p "$OUT"
AGENT=agent/target/wstap-agent.jar; WSTAP=analyzer/target/wstap.jar; CP_FILE=samples/target/app-classpath.txt
for f in "$AGENT" "$WSTAP" "$CP_FILE"; do [ -e "$f" ] || { echo "missing $f: run mvn -B -q package -DskipTests" >&2; exit 2; }; done
CP="samples/target/classes:$(cat "$CP_FILE")"
command -v dumpcap >/dev/null && command -v tshark >/dev/null || { echo "needs dumpcap and tshark (apt-get install tshark)" >&2; exit 2; }

# The host-overhead bench's Jetty 12 echo server under the agent; it prints its port, then reads MARK and STOP on
# stdin and serves until stdin closes.
mkfifo "$OUT/stdin"
java -javaagent:"$AGENT"=file="$OUT/echo.wstap",quiet=true -cp "$CP" io.wstap.samples.bench.BenchServer jetty - \
    < "$OUT/stdin" > "$OUT/server.out" 2>&1 &
SERVER=$!
exec 3> "$OUT/stdin"
for _ in $(seq 100); do grep -q '^PORT ' "$OUT/server.out" 2>/dev/null && break; sleep 0.1; done
PORT=$(sed -n 's/^PORT //p' "$OUT/server.out")
dumpcap -q -i lo -f "tcp port $PORT" -P -w "$OUT/echo.pcap" 2> "$OUT/dumpcap.err" &
DUMPCAP=$!
sleep 1.5; kill -0 "$DUMPCAP" 2>/dev/null || { echo "dumpcap did not start: $(head -1 "$OUT/dumpcap.err")" >&2; exit 2; }
# The bench's raw client: closed loops of masked binary messages, then a Close 1000 handshake on every connection.
java -cp "$CP" io.wstap.samples.bench.BenchClient "$PORT" - "$CONNECTIONS" "$SIZE" 1 "$SECONDS_LOAD" raw \
    < /dev/null > "$OUT/client.out" &
CLIENT=$!
sleep 1; echo MARK >&3
wait "$CLIENT"; echo STOP >&3; exec 3>&-
wait "$SERVER" || true
sleep 1; kill -INT "$DUMPCAP"; wait "$DUMPCAP" || true

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_runs() { # label, command...
  local label=$1; shift; local ts=()
  for _ in $(seq "$RUNS"); do local s; s=$(now); "$@" > /dev/null; ts+=($(( $(now) - s ))); done
  printf '%s\n' "${ts[@]}" | median > "$OUT/$label.ns"
}
FIELDS=(-e frame.time_epoch -e tcp.stream -e ip.src -e tcp.srcport -e ip.dst -e tcp.dstport -e tcp.flags.fin -e tcp.flags.reset
        -e websocket.fin -e websocket.rsv -e websocket.opcode -e websocket.mask -e websocket.masking_key
        -e websocket.payload_length -e websocket.payload.close.status_code -e websocket.payload.close.reason)
tshark_fields() { tshark -r "$OUT/echo.pcap" -d "tcp.port==$PORT,http" -Y 'websocket or tcp.flags.fin==1 or tcp.flags.reset==1' -T fields "${FIELDS[@]}"; }

time_runs wstap-own java -jar "$WSTAP" analyze --format json -o "$OUT/own.json" --fail-on never "$OUT/echo.wstap"
time_runs wstap-pcap java -jar "$WSTAP" analyze --format json -o "$OUT/pcap.json" --fail-on never "$OUT/echo.pcap"
time_runs tshark tshark_fields
FRAMES=$(tshark -r "$OUT/echo.pcap" -d "tcp.port==$PORT,http" -Y websocket -T fields -e websocket.opcode | tr ',' '\n' | grep -c .)
W=$(stat -c %s "$OUT/echo.wstap"); P=$(stat -c %s "$OUT/echo.pcap")
own=$(cat "$OUT/wstap-own.ns"); pc=$(cat "$OUT/wstap-pcap.ns"); ts=$(cat "$OUT/tshark.ns")
echo "traffic: $CONNECTIONS connections, $SIZE-byte messages, ${SECONDS_LOAD} s: $FRAMES WebSocket frames (tshark's count)"
awk -v f="$FRAMES" -v own="$own" -v pc="$pc" -v ts="$ts" -v w="$W" -v p="$P" 'BEGIN {
  printf "  wstap analyze echo.wstap  %8.2f s  %6.1f M frames/s\n", own/1e9, f/(own/1e9)/1e6
  printf "  wstap analyze echo.pcap   %8.2f s  %6.1f M frames/s\n", pc/1e9, f/(pc/1e9)/1e6
  printf "  tshark -Y websocket       %8.2f s  %6.2f M frames/s\n", ts/1e9, f/(ts/1e9)/1e6
  printf "RATIO tshark/wstap(pcap)=%.1f tshark/wstap(own)=%.1f  bytes/frame: wstap=%.2f pcap=%.1f\n", ts/pc, ts/own, w/f, p/f
}'
