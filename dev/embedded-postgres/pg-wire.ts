/**
 * The few pieces of the PostgreSQL wire protocol (version 3) that the embedded server reads and writes
 * itself; everything else passes through to PGlite as it came.
 */

export const PROTOCOL_V3 = 196608;
export const SSL_REQUEST = 80877103;
export const CANCEL_REQUEST = 80877102;

/** One message a client sent: `startup` (no type byte), a request code, or a typed message. */
export type ClientMessage =
  | { kind: 'startup'; bytes: Buffer; params: Record<string, string> }
  | { kind: 'request'; code: number }
  | { kind: 'typed'; type: string; bytes: Buffer };

/**
 * Splits what a client sent into complete messages. Before the startup message a connection sends only
 * untyped messages (SSL, GSS, cancel requests and the startup message itself); afterwards only typed ones.
 */
export function splitClientMessages(buffer: Buffer, started: boolean): { messages: ClientMessage[]; rest: Buffer } {
  const messages: ClientMessage[] = [];
  let offset = 0;
  let isStarted = started;
  for (;;) {
    if (!isStarted) {
      if (buffer.length - offset < 8) break;
      const length = buffer.readInt32BE(offset);
      if (length < 8 || buffer.length - offset < length) break;
      const code = buffer.readInt32BE(offset + 4);
      const bytes = buffer.subarray(offset, offset + length);
      offset += length;
      if (code === PROTOCOL_V3) {
        messages.push({ kind: 'startup', bytes: Buffer.from(bytes), params: startupParams(bytes) });
        isStarted = true;
      } else {
        messages.push({ kind: 'request', code });
      }
      continue;
    }
    if (buffer.length - offset < 5) break;
    const length = buffer.readInt32BE(offset + 1);
    if (buffer.length - offset < 1 + length) break;
    messages.push({
      kind: 'typed',
      type: String.fromCharCode(buffer[offset] ?? 0),
      bytes: Buffer.from(buffer.subarray(offset, offset + 1 + length)),
    });
    offset += 1 + length;
  }
  return { messages, rest: Buffer.from(buffer.subarray(offset)) };
}

/** The key/value pairs of a startup message (user, database, application_name, options…). */
export function startupParams(bytes: Buffer): Record<string, string> {
  const parts = bytes.subarray(8).toString('utf8').split('\0');
  const params: Record<string, string> = {};
  for (let i = 0; i + 1 < parts.length && parts[i] !== ''; i += 2) params[parts[i] as string] = parts[i + 1] ?? '';
  return params;
}

function typed(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

/** An ErrorResponse with severity, SQLSTATE and message, as a server sends it. */
export function errorResponse(severity: 'ERROR' | 'FATAL', sqlState: string, message: string): Buffer {
  const field = (code: string, value: string): Buffer =>
    Buffer.concat([Buffer.from(code, 'latin1'), Buffer.from(value, 'utf8'), Buffer.from([0])]);
  return typed(
    'E',
    Buffer.concat([
      field('S', severity),
      field('V', severity),
      field('C', sqlState),
      field('M', message),
      Buffer.from([0]),
    ]),
  );
}

/** ReadyForQuery: `I` idle, `T` in a transaction, `E` in a failed transaction. */
export function readyForQuery(status: 'I' | 'T' | 'E'): Buffer {
  return typed('Z', Buffer.from(status, 'latin1'));
}

/** A Sync message, as a client sends it. */
export const SYNC = typed('S', Buffer.alloc(0));

/** A simple Query message. */
export function simpleQuery(sql: string): Buffer {
  return typed('Q', Buffer.concat([Buffer.from(sql, 'utf8'), Buffer.from([0])]));
}

/**
 * The status of the last ReadyForQuery in what the server answered, or undefined when the answer has
 * none (the client is in the middle of an extended-protocol exchange that a Sync will end).
 */
export function lastReadyStatus(reply: Uint8Array): 'I' | 'T' | 'E' | undefined {
  let status: 'I' | 'T' | 'E' | undefined;
  const view = Buffer.from(reply.buffer, reply.byteOffset, reply.byteLength);
  let offset = 0;
  while (view.length - offset >= 5) {
    const type = view[offset];
    const length = view.readInt32BE(offset + 1);
    if (type === 0x5a && length === 5 && view.length - offset >= 6) {
      const s = String.fromCharCode(view[offset + 5] ?? 0);
      if (s === 'I' || s === 'T' || s === 'E') status = s;
    }
    offset += 1 + length;
  }
  return status;
}
