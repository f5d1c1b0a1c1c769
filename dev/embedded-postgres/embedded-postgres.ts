import { createServer, type Server } from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import type { Logger } from '../../src/logger';
import { EmbeddedSession, type EmbeddedDatabase } from './embedded-session';
import { TransactionLock } from './transaction-lock';

/** Settings of an EmbeddedPostgres; all optional. */
export interface EmbeddedPostgresOptions {
  /** Interface to listen on (default 127.0.0.1: the server has no authentication). */
  host?: string;
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /** How long a connection waits for another connection's transaction before its statement fails (default 60 s). */
  lockWaitMs?: number;
  logger?: Logger;
}

/** Database names the server accepts: what CREATE DATABASE would, kept to plain identifiers. */
const DATABASE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * PostgreSQL in this process, for `npm run demo` on a machine without a server: each database is a
 * PGlite instance (Postgres compiled to WebAssembly, in memory), served over the Postgres wire
 * protocol on a local port, so the bot, `pg` and the branch code connect to it as to any server.
 *
 * A PGlite instance has one backend, so connections to one database take turns a transaction at a time
 * (see TransactionLock); session-level state (advisory locks, SET) is shared while connections are
 * open and reset when each closes. New databases are copies of an empty template, so making one takes
 * about a second rather than the few seconds of a fresh PGlite. Everything is gone when it stops.
 */
export class EmbeddedPostgres {
  private readonly databases = new Map<string, EmbeddedDatabase>();
  private readonly sessions = new Set<EmbeddedSession>();

  private constructor(
    private readonly server: Server,
    private readonly template: PGlite,
    readonly host: string,
    readonly port: number,
    private readonly logger?: Logger,
  ) {}

  static async start(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
    const host = options.host ?? '127.0.0.1';
    const lockWaitMs = options.lockWaitMs ?? 60_000;
    const template = await PGlite.create();
    let instance: EmbeddedPostgres | undefined;
    const server = createServer((socket) => {
      if (!instance) return void socket.destroy();
      const self = instance;
      const session = new EmbeddedSession(socket, {
        database: (name) => self.databases.get(name),
        lockWaitMs,
        onError: (error) => self.logger?.error({ err: error }, 'embedded Postgres connection failed'),
      });
      self.sessions.add(session);
      socket.once('close', () => void session.idle().then(() => self.sessions.delete(session)));
    });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port ?? 0, host, () => resolve());
      });
    } catch (error) {
      await template.close();
      throw error;
    }
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    instance = new EmbeddedPostgres(server, template, host, port, options.logger);
    return instance;
  }

  /** A connection URL for `database` (user postgres, no password: the server trusts every local connection). */
  url(database: string): string {
    return `postgres://postgres@${this.host}:${this.port}/${encodeURIComponent(database)}`;
  }

  hasDatabase(name: string): boolean {
    return this.databases.has(name);
  }

  databaseNames(): string[] {
    return [...this.databases.keys()];
  }

  /** Creates an empty database (a copy of the template); an existing one is an error. */
  async createDatabase(name: string): Promise<void> {
    this.checkNew(name);
    this.add(name, (await this.template.clone()) as PGlite);
  }

  /**
   * Creates `name` as a copy of `source` (schema, data and roles), taken while no connection is in a
   * transaction on the source.
   */
  async cloneDatabase(source: string, name: string): Promise<void> {
    this.checkNew(name);
    const copy = await this.exclusive(source, (db) => db.clone());
    if (this.databases.has(name)) {
      await copy.close();
      throw new Error(`database "${name}" already exists on the embedded Postgres`);
    }
    this.add(name, copy as PGlite);
  }

  /**
   * Runs `fn` with the database's PGlite instance while no connection uses it, e.g. to copy its files.
   * Waits for a transaction under way to end.
   */
  async exclusive<T>(name: string, fn: (db: PGlite) => Promise<T>): Promise<T> {
    const database = this.databases.get(name);
    if (!database) throw new Error(`database "${name}" does not exist on the embedded Postgres`);
    const token = {};
    await database.lock.acquire(token, Infinity);
    try {
      return await fn(database.db);
    } finally {
      database.lock.release(token);
    }
  }

  /** Drops a database, ending its connections first (like DROP DATABASE … WITH (FORCE)); a missing one is not an error. */
  async dropDatabase(name: string): Promise<void> {
    const database = this.databases.get(name);
    if (!database) return;
    this.databases.delete(name);
    database.dropped = true;
    const sessions = [...database.sessions];
    for (const session of sessions) session.destroy();
    database.lock.failWaiters(new Error(`database "${name}" was dropped`));
    await Promise.all(sessions.map((session) => session.idle()));
    const token = {};
    await database.lock.acquire(token, Infinity);
    await database.db.close();
    this.logger?.debug({ database: name }, 'embedded database dropped');
  }

  /** Stops listening, ends every connection and closes every database. */
  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const session of this.sessions) session.destroy();
    });
    for (const name of [...this.databases.keys()]) await this.dropDatabase(name);
    await this.template.close();
  }

  private checkNew(name: string): void {
    if (!DATABASE_NAME.test(name))
      throw new Error(
        `"${name}" is not a database name the embedded Postgres accepts (lower-case letters, digits and _)`,
      );
    if (this.databases.has(name)) throw new Error(`database "${name}" already exists on the embedded Postgres`);
  }

  private add(name: string, db: PGlite): void {
    this.databases.set(name, { name, db, lock: new TransactionLock(), sessions: new Set(), dropped: false });
    this.logger?.debug({ database: name }, 'embedded database created');
  }
}
