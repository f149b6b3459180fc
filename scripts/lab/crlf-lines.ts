import type { Socket } from 'node:net';

/** Calls `handleLine` with each CRLF-ended line the socket receives, without its CRLF. */
export function onCrlfLines(options: { socket: Socket; encoding: BufferEncoding; handleLine: (line: string) => void }): void {
  const { socket, handleLine } = options;
  let buffered = '';
  socket.setEncoding(options.encoding);
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    let end = buffered.indexOf('\r\n');
    while (end !== -1) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      handleLine(line);
      end = buffered.indexOf('\r\n');
    }
  });
}
