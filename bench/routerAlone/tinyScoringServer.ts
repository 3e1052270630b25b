/** A scoring server that costs nothing: answers every POST with two predictions. For bench/routerAlone/run.ts. */
import { createServer } from 'node:http';
const body = Buffer.from(JSON.stringify({ predictions: [0, 1] }));
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log(`LISTENING ${(server.address() as { port: number }).port}`));
