// A Node WebSocket client on the ws package: node client.js URL close|terminate
// Sends "hello", waits for the echo, then either closes with 1000 "bye" (and waits for the server's Close and its
// TCP close) or calls ws.terminate(): the socket is destroyed, no Close frame. Prints what it saw on stdout.
'use strict';
const WebSocket = require('ws');

const [url, mode] = process.argv.slice(2);
if (!url || !['close', 'terminate'].includes(mode)) {
  console.error('usage: node client.js URL close|terminate');
  process.exit(2);
}
setTimeout(() => { console.error('client.js: timed out'); process.exit(3); }, 10000).unref();

const ws = new WebSocket(url);
ws.on('open', () => ws.send('hello'));
ws.on('message', (data) => {
  console.log('node received ' + data);
  if (mode === 'close') {
    ws.close(1000, 'bye');
  } else {
    ws.terminate();
  }
});
ws.on('close', (code, reason) => console.log('node closed ' + code + ' ' + reason));
ws.on('error', (e) => { console.error('node error ' + e.message); process.exitCode = 1; });
