import { PassThrough } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { captureJsonBody, readPredictions } from '../../../adapters/local/inference/responseBody';

function answer(contentType: string, body: string): { message: IncomingMessage; end: () => void } {
  const stream = new PassThrough() as unknown as IncomingMessage & PassThrough;
  stream.headers = { 'content-type': contentType };
  return {
    message: stream,
    end: () => {
      stream.write(body);
      stream.end();
    },
  };
}

describe('captureJsonBody', () => {
  it('keeps a JSON answer so its predictions can be read', async () => {
    const { message, end } = answer('application/json', '{"predictions":[1,0]}');
    const read = captureJsonBody(message.headers, message);
    message.resume();
    end();
    await new Promise((r) => message.on('end', r));
    expect(readPredictions(read())).toEqual([1, 0]);
  });

  it('reads a non-JSON answer as empty, so it counts as malformed rather than unjudged', () => {
    const { message } = answer('text/html', '<h1>oops</h1>');
    const body = captureJsonBody(message.headers, message)();
    expect(body).toEqual(Buffer.alloc(0));
    expect(readPredictions(body)).toBeUndefined();
  });
});
