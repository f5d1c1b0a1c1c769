import {
  CANCEL_REQUEST,
  errorResponse,
  lastReadyStatus,
  PROTOCOL_V3,
  readyForQuery,
  simpleQuery,
  splitClientMessages,
  SSL_REQUEST,
  SYNC,
} from './pg-wire';

function untyped(code: number, body = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(8);
  head.writeInt32BE(8 + body.length, 0);
  head.writeInt32BE(code, 4);
  return Buffer.concat([head, body]);
}

const startup = untyped(
  PROTOCOL_V3,
  Buffer.from('user\0postgres\0database\0infra_demo\0application_name\0infra-orchestrator\0\0'),
);

describe('the wire protocol pieces of the embedded Postgres', () => {
  it('reads an SSL request, then the startup message with its parameters, before any typed message', () => {
    const { messages, rest } = splitClientMessages(Buffer.concat([untyped(SSL_REQUEST), startup]), false);
    expect(rest.length).toBe(0);
    expect(messages[0]).toEqual({ kind: 'request', code: SSL_REQUEST });
    expect(messages[1]).toMatchObject({
      kind: 'startup',
      params: { user: 'postgres', database: 'infra_demo', application_name: 'infra-orchestrator' },
    });
  });

  it('reads a cancel request as a request, not as a startup message', () => {
    const { messages } = splitClientMessages(untyped(CANCEL_REQUEST, Buffer.alloc(8)), false);
    expect(messages).toEqual([{ kind: 'request', code: CANCEL_REQUEST }]);
  });

  it('splits typed messages and keeps an incomplete one for the next read', () => {
    const query = simpleQuery('select 1');
    const both = Buffer.concat([query, SYNC, query.subarray(0, 7)]);
    const { messages, rest } = splitClientMessages(both, true);
    expect(messages.map((m) => (m.kind === 'typed' ? m.type : m.kind))).toEqual(['Q', 'S']);
    expect(rest).toEqual(query.subarray(0, 7));
    const next = splitClientMessages(Buffer.concat([rest, query.subarray(7)]), true);
    expect(next.messages).toHaveLength(1);
    expect(next.rest.length).toBe(0);
  });

  it('finds the status of the last ReadyForQuery in a reply, and none when the reply has none', () => {
    const commandComplete = Buffer.concat([
      Buffer.from('C'),
      Buffer.from([0, 0, 0, 11]),
      Buffer.from('BEGIN\0\0', 'latin1'),
    ]);
    expect(lastReadyStatus(Buffer.concat([readyForQuery('I'), commandComplete, readyForQuery('T')]))).toBe('T');
    expect(lastReadyStatus(Buffer.concat([errorResponse('ERROR', '42P01', 'no such table'), readyForQuery('E')]))).toBe(
      'E',
    );
    expect(lastReadyStatus(commandComplete)).toBeUndefined();
  });

  it('writes an ErrorResponse with severity, SQLSTATE and message fields', () => {
    const error = errorResponse('FATAL', '3D000', 'database "x" does not exist');
    expect(error.subarray(0, 1).toString()).toBe('E');
    expect(error.readInt32BE(1)).toBe(error.length - 1);
    expect(error.subarray(5).toString('utf8').split('\0').filter(Boolean)).toEqual([
      'SFATAL',
      'VFATAL',
      'C3D000',
      'Mdatabase "x" does not exist',
    ]);
  });
});
