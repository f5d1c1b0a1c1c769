import type { Socket } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';
import {
  CANCEL_REQUEST,
  type ClientMessage,
  errorResponse,
  lastReadyStatus,
  readyForQuery,
  simpleQuery,
  splitClientMessages,
  SYNC,
} from './pg-wire';
import { LockWaitTimeoutError, type TransactionLock } from './transaction-lock';

/** One database of the embedded server, as a connection sees it. */
export interface EmbeddedDatabase {
  name: string;
  db: PGlite;
  lock: TransactionLock;
  sessions: Set<EmbeddedSession>;
  dropped: boolean;
}

/** What a connection needs from its server. */
export interface SessionHost {
  /** The database a startup message names, if the server has it. */
  database(name: string): EmbeddedDatabase | undefined;
  /** How long a connection waits for another's transaction before its statement is refused. */
  lockWaitMs: number;
  /** Reports an unexpected failure (the connection is closed after it). */
  onError(error: Error): void;
}

/**
 * One client connection to the embedded server. Messages go to the named database's PGlite backend in
 * order; the backend's TransactionLock keeps other connections out until this one is idle again. When
 * the connection ends, whatever it left open (an extended-protocol exchange, a transaction, session
 * settings) is cleaned up so the next connection gets a backend as fresh as a new one.
 */
export class EmbeddedSession {
  private buffer: Buffer = Buffer.alloc(0);
  private started = false;
  private database?: EmbeddedDatabase;
  private chain: Promise<void> = Promise.resolve();
  /** After a refused extended-protocol message, the rest of the exchange is skipped up to its Sync, as a server does after an error. */
  private skipUntilSync = false;
  private closed = false;

  constructor(
    private readonly socket: Socket,
    private readonly host: SessionHost,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (data: Buffer) => this.receive(data));
    socket.on('error', () => undefined); // the close that follows cleans up
    socket.on('close', () => {
      this.closed = true;
      this.enqueue(() => this.cleanUp());
    });
  }

  /** Ends the connection now (its database is being dropped). */
  destroy(): void {
    this.socket.destroy();
  }

  /** Resolves when every message received so far has been answered and, after a close, cleaned up. */
  idle(): Promise<void> {
    return this.chain;
  }

  private receive(data: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, data]);
    const { messages, rest } = splitClientMessages(this.buffer, this.started);
    this.buffer = rest;
    for (const message of messages) {
      if (message.kind === 'startup') this.started = true;
      this.enqueue(() => this.handle(message));
    }
  }

  private enqueue(work: () => Promise<void>): void {
    this.chain = this.chain.then(work).catch((error: unknown) => {
      this.host.onError(error as Error);
      this.socket.destroy();
    });
  }

  private async handle(message: ClientMessage): Promise<void> {
    if (this.closed) return;
    if (message.kind === 'request') {
      // No TLS or GSS encryption on a loopback demo server; a cancel request has no backend to signal.
      if (message.code === CANCEL_REQUEST) this.socket.end();
      else this.socket.write('N');
      return;
    }
    if (message.kind === 'startup') {
      const name = message.params.database ?? message.params.user ?? 'postgres';
      this.database = this.host.database(name);
      if (!this.database) {
        this.socket.end(errorResponse('FATAL', '3D000', `database "${name}" does not exist on the embedded Postgres`));
        return;
      }
      this.database.sessions.add(this);
      await this.pass(message.bytes, 'startup');
      return;
    }
    if (message.type === 'X') {
      this.socket.end();
      return;
    }
    if (this.skipUntilSync) {
      if (message.type === 'S') {
        this.skipUntilSync = false;
        this.socket.write(readyForQuery('I'));
      }
      return;
    }
    await this.pass(message.bytes, message.type);
  }

  /** Runs one message on the backend once this connection holds it, and answers with what the backend said. */
  private async pass(bytes: Buffer, type: string): Promise<void> {
    const database = this.database;
    if (!database || database.dropped) {
      this.socket.end(errorResponse('FATAL', '57P01', 'the database was dropped'));
      return;
    }
    try {
      await database.lock.acquire(this, this.host.lockWaitMs);
    } catch (error) {
      if (database.dropped) return void this.socket.destroy();
      if (!(error instanceof LockWaitTimeoutError)) throw error;
      this.refuse(type, error.waitedMs);
      return;
    }
    if (this.closed || database.dropped) return;
    const reply = await database.db.execProtocolRaw(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    if (!this.closed) this.socket.write(reply);
    if (lastReadyStatus(reply) === 'I') database.lock.release(this);
  }

  /** Answers a message that could not get the backend as Postgres answers a lock timeout. */
  private refuse(type: string, waitedMs: number): void {
    const error = errorResponse(
      'ERROR',
      '55P03',
      `the embedded Postgres runs one transaction at a time and another connection's transaction held it for ${waitedMs} ms; ` +
        'run the demo on a PostgreSQL server (set DATABASE_URL) if this keeps happening',
    );
    if (type === 'startup') {
      this.socket.end(
        errorResponse('FATAL', '55P03', `the embedded Postgres was busy for ${waitedMs} ms; connect again`),
      );
      return;
    }
    this.socket.write(error);
    if (type === 'Q' || type === 'S') this.socket.write(readyForQuery('I'));
    else this.skipUntilSync = true;
  }

  private async cleanUp(): Promise<void> {
    const database = this.database;
    if (!database) return;
    database.sessions.delete(this);
    if (database.dropped) return void database.lock.release(this);
    try {
      await database.lock.acquire(this, Infinity);
    } catch {
      return; // the database was dropped while this connection waited
    }
    try {
      if (database.dropped) return;
      const status = lastReadyStatus(await database.db.execProtocolRaw(new Uint8Array(SYNC)));
      if (status !== 'I') await database.db.execProtocolRaw(new Uint8Array(simpleQuery('ROLLBACK')));
      await database.db.execProtocolRaw(new Uint8Array(simpleQuery('RESET ALL')));
    } finally {
      database.lock.release(this);
    }
  }
}
