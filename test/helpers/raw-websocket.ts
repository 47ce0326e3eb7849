/**
 * A WebSocket client by hand on a raw TCP socket: it sends frames no client library
 * would send (unmasked, bad opcodes, lying lengths) and can stop reading at will (the
 * socket comes back paused: nothing is read from the kernel until the caller resumes it).
 */
import net from 'node:net';

/** Opens `/rpc?token=` on 127.0.0.1:port; resolves with the socket paused right after the 101 answer. */
export function rawWebSocket(port: number, token: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.write(
        [
          `GET /rpc?token=${encodeURIComponent(token)} HTTP/1.1`,
          `Host: 127.0.0.1:${port}`,
          'Upgrade: websocket',
          'Connection: Upgrade',
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
          'Sec-WebSocket-Version: 13',
          '',
          '',
        ].join('\r\n'),
      );
    });
    let head = '';
    const onData = (chunk: Buffer): void => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      // without a reader a flowing socket would read and discard: stop reading until asked
      socket.pause();
      if (head.startsWith('HTTP/1.1 101')) resolve(socket);
      else reject(new Error(head.split('\r\n')[0]));
    };
    socket.on('data', onData);
  });
}

/** One client frame: FIN set, the given opcode, masked unless `masked` is false. */
export function frame(opcode: number, payload: Buffer, masked = true, declaredLength?: number): Buffer {
  const length = declaredLength ?? payload.length;
  const lengthBytes =
    length < 126
      ? Buffer.from([(masked ? 0x80 : 0) | length])
      : length < 65536
        ? Buffer.from([(masked ? 0x80 : 0) | 126, length >> 8, length & 0xff])
        : Buffer.concat([Buffer.from([(masked ? 0x80 : 0) | 127]), (() => {
            const b = Buffer.alloc(8);
            b.writeBigUInt64BE(BigInt(length));
            return b;
          })()]);
  const mask = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const body = masked ? Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4])) : payload;
  return Buffer.concat([Buffer.from([0x80 | opcode]), lengthBytes, masked ? mask : Buffer.alloc(0), body]);
}

/** A masked text frame holding `value` as JSON. */
export function jsonFrame(value: unknown): Buffer {
  return frame(0x1, Buffer.from(JSON.stringify(value)));
}

/**
 * Reads the server's (unmasked, unfragmented) frames from a byte stream: feed it every
 * chunk; it calls `onText` with each text frame's payload.
 */
export function frameReader(onText: (text: string) => void): (chunk: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0);
  return (chunk) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    for (;;) {
      if (pending.length < 2) return;
      const short = pending[1] & 0x7f;
      const headLength = short === 126 ? 4 : short === 127 ? 10 : 2;
      if (pending.length < headLength) return;
      const length = short === 126 ? pending.readUInt16BE(2) : short === 127 ? Number(pending.readBigUInt64BE(2)) : short;
      if (pending.length < headLength + length) return;
      if ((pending[0] & 0x0f) === 0x1) onText(pending.subarray(headLength, headLength + length).toString('utf8'));
      pending = pending.subarray(headLength + length);
    }
  };
}

/** Resolves when the server ends the socket (reading whatever is left). */
export function closed(socket: net.Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) resolve();
    socket.once('close', () => resolve());
    socket.on('error', () => undefined);
    socket.resume();
  });
}
