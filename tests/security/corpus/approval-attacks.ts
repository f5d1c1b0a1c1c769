/** Migrations that destroy data or hide what they do, walked through every gate by one approver. */
import type { ApprovalAttack } from '../attack-types';
import { attackTable, dropAttackTable } from './attack-table';

const ORDERS = `create table public.orders (id bigint primary key, note text not null);
alter table public.orders enable row level security;
create policy "Orders are readable by everyone" on public.orders for select using (true);`;
const BIO_INTACT = () =>
  `select count(*) = 1 as intact from information_schema.columns where table_schema = 'public' and table_name = 'profiles' ` +
  `and column_name = 'bio' and data_type = 'text'`;
const ORDERS_INTACT = () => `select count(*) = 1 and bool_and(note like 'PRODROW-%') as intact from public.orders`;

/** Destructive statements in spellings a regular expression misses: one approver is not enough. */
export const APPROVAL_ATTACKS: ApprovalAttack[] = [
  {
    kind: 'destructive',
    name: 'a harmless migration merges with one approval per gate (the control of the lines below)',
    up: (n) =>
      `${attackTable(n)}\ncreate policy "${n.table} readable" on public.${n.table} for select to authenticated using (true);`,
    down: dropAttackTable,
    outcome: 'merged',
  },
  {
    kind: 'destructive',
    name: 'a DROP COLUMN with a comment between its keywords still needs a second approver',
    up: () => 'alter table public.profiles drop /* unused */ column bio;',
    down: () => 'alter table public.profiles add column bio text;',
    outcome: 'held',
    intact: BIO_INTACT,
  },
  {
    kind: 'destructive',
    name: 'a DROP of a column without the optional COLUMN keyword still needs a second approver',
    up: () => 'alter table public.profiles drop bio;',
    down: () => 'alter table public.profiles add column bio text;',
    outcome: 'held',
    intact: BIO_INTACT,
  },
  {
    kind: 'destructive',
    name: 'a DROP of quoted identifiers still needs a second approver',
    up: () => 'ALTER TABLE "public"."profiles" DROP "bio";',
    down: () => 'alter table public.profiles add column bio text;',
    outcome: 'held',
    intact: BIO_INTACT,
  },
  {
    kind: 'destructive',
    name: 'a DROP TABLE ... CASCADE still needs a second approver',
    up: () => 'drop table public.orders cascade;',
    down: () => ORDERS,
    outcome: 'held',
    intact: ORDERS_INTACT,
  },
  {
    kind: 'destructive',
    name: 'a DELETE without WHERE, with a comment before FROM, still needs a second approver',
    up: () => 'delete /* everything */ from public.orders;',
    down: () => 'select 1;',
    outcome: 'held',
    intact: ORDERS_INTACT,
  },
  {
    kind: 'destructive',
    name: 'an UPDATE without WHERE still needs a second approver',
    up: () => "update public.orders set note = '';",
    down: () => 'select 1;',
    outcome: 'held',
    intact: ORDERS_INTACT,
  },
  {
    kind: 'destructive',
    name: 'a TRUNCATE still needs a second approver',
    up: () => 'truncate public.orders;',
    down: () => 'select 1;',
    outcome: 'held',
    intact: ORDERS_INTACT,
  },
  {
    kind: 'destructive',
    name: 'an ALTER COLUMN TYPE without the optional COLUMN keyword still needs a second approver',
    up: () => 'alter table public.profiles alter bio type varchar(200);',
    down: () => 'alter table public.profiles alter column bio type text;',
    outcome: 'held',
    intact: BIO_INTACT,
  },
  {
    kind: 'destructive',
    name: 'a RENAME of a table still needs a second approver',
    up: () => 'alter table public.orders rename to orders_archive;',
    down: () => 'alter table public.orders_archive rename to orders;',
    outcome: 'held',
    intact: ORDERS_INTACT,
  },
  {
    kind: 'destructive',
    name: 'a RENAME of a column still needs a second approver',
    up: () => 'alter table public.profiles rename column bio to about;',
    down: () => 'alter table public.profiles rename column about to bio;',
    outcome: 'held',
    intact: BIO_INTACT,
  },
  {
    kind: 'destructive',
    name: 'a new table without row level security (a failed check) is not merged by ordinary approvals',
    up: (n) =>
      `create table public.${n.table} (id int primary key, secret text);\ngrant all on public.${n.table} to anon;`,
    down: dropAttackTable,
    outcome: 'held',
    intact: (n) => `select to_regclass('public.${n.table}') is null as intact`,
  },
  {
    kind: 'destructive',
    name: 'a DO block that drops a table through dynamic SQL still needs a second approver',
    up: () => "do $$ begin execute 'drop' || ' table public.orders'; end $$;",
    down: () => ORDERS,
    outcome: 'held',
    intact: ORDERS_INTACT,
  },
];
