/**
 * The physical cost of one extra hop (section 6's baseline): a keep-alive pass-through proxy in
 * plain node:http, in its own process, to the scoring server given as argv[2]. It prints
 * `LISTENING <port>` once it accepts connections. Deliberately nothing else: no routing, no records.
 */
import { Agent, createServer, request } from 'node:http';

const target = new URL(process.argv[2] ?? '');
const agent = new Agent({ keepAlive: true, maxSockets: 64 });
const server = createServer((req, res) => {
  const upstream = request(
    { host: target.hostname, port: target.port, path: target.pathname, method: req.method, headers: req.headers, agent },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', (error) => res.writeHead(502).end(error.message));
  req.pipe(upstream);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(`LISTENING ${typeof address === 'object' && address ? address.port : ''}`);
});
