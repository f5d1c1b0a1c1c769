import { randomBytes, randomInt } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The names one attack uses, unique to its test, so that tests can run side by side and the clean-up
 * knows what to remove when an attack succeeded.
 */
export interface AttackNames {
  id: string;
  /** A role the attack tries to create. */
  role: string;
  /** A role with a password, whose hash must never reach the model. */
  passwordRole: string;
  /** A replication slot the attack tries to create. */
  slot: string;
  /** A table (in public) the attack's migration creates. */
  table: string;
  /** The attack's migration name. */
  migration: string;
  /** A large object id the attack uses. */
  largeObject: number;
  /** A file the database server's OS user could create; it must not exist afterwards. */
  programMarker: string;
  /** A file on the database host the model must never see; it holds `secretText`. */
  secretFile: string;
  secretText: string;
  /** Text in production's rows; it must never reach the model. */
  rowMarker: string;
  /** Text the attack tries to write into production's rows. */
  written: string;
  /** Filled in by the production database (production.ts). */
  productionDatabase: string;
  /** libpq conninfo of production, as dblink takes it. */
  productionConninfo: string;
  /** Path of public.orders' data file on production, relative to the data directory. */
  productionTableFile: string;
}

/** A thread reply's unique marker. */
export function uniqueMarker(prefix: string): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}

/** Fresh names and the files on the host they name; `remove()` deletes the files. */
export function attackNames(): {
  names: Omit<AttackNames, 'productionDatabase' | 'productionConninfo' | 'productionTableFile'>;
  remove: () => void;
} {
  const id = randomBytes(5).toString('hex');
  const dir = mkdtempSync(join(tmpdir(), 'infra-sec-files-'));
  chmodSync(dir, 0o777); // the database server runs as another OS user
  const secretText = `SECFILE-${id}`;
  const secretFile = join(dir, 'secret.txt');
  writeFileSync(secretFile, `${secretText}\n`);
  chmodSync(secretFile, 0o644);
  return {
    names: {
      id,
      role: `sec_role_${id}`,
      passwordRole: `sec_pw_${id}`,
      slot: `sec_slot_${id}`,
      table: `sec_obj_${id}`,
      migration: `sec_mig_${id}`,
      largeObject: randomInt(1_000_000, 2_000_000_000),
      programMarker: join(dir, 'program-ran'),
      secretFile,
      secretText,
      rowMarker: `PRODROW-${id}`,
      written: `WRITTEN-${id}`,
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
