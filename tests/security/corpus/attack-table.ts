/** Tables the attacks create, named by the test so that they never collide. */
import type { AttackNames } from '../drivers/attack-names';

/** A table with row level security, the harmless part of a hostile migration. */
export const attackTable = (n: AttackNames) =>
  `create table public.${n.table} (id int primary key);\nalter table public.${n.table} enable row level security;`;
/** Undoes attackTable. */
export const dropAttackTable = (n: AttackNames) => `drop table if exists public.${n.table};`;
