// Reading a fast stream without holding the event loop. A socket whose peer sends fast can give
// one turn of the loop a megabyte and more (libuv reads up to 32 times per turn): handled at once,
// that is some 14,000 log lines during which the extension host answers nothing.
import type { Readable } from 'node:stream';

/** Bytes read before the event loop gets a turn: some 700 log lines of 90 bytes. */
export const BYTES_PER_TURN = 64 * 1024;

/**
 * Calls `onChunk` for each chunk of `body` and, after every `bytesPerTurn` bytes, pauses it until
 * the event loop's next turn. What comes meanwhile waits in the stream's and the socket's buffers,
 * and TCP slows the sender down; nothing is lost or reordered.
 */
export function readYielding(body: Readable, onChunk: (chunk: Buffer) => void, bytesPerTurn = BYTES_PER_TURN): void {
  let read = 0;
  body.on('data', (chunk: Buffer) => {
    onChunk(chunk);
    read += chunk.length;
    if (read >= bytesPerTurn && !body.destroyed) {
      read = 0;
      body.pause();
      setImmediate(() => {
        if (!body.destroyed) body.resume();
      });
    }
  });
}
