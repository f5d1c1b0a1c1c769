/** Text read out of parse-tree nodes for the findings: qualified names, option values, object words. */
import { child, isNode, names, type PgNode, str, walkNodes } from './sql-parser';

/** Lower case; '' for a missing value. */
export const lower = (s: string | undefined): string => (s ?? '').toLowerCase();
/** `OBJECT_MATVIEW` as a person reads it: `materialized view`. */
export const objectWord = (t: string | undefined): string =>
  lower(t?.replace(/^OBJECT_/, ''))
    .replace(/_/g, ' ')
    .replace('matview', 'materialized view');

/** `schema.name` of a RangeVar (unwrapped), default schema `public`. */
export function qualifiedName(rangeVar: PgNode | undefined): string | undefined {
  const rel = str(rangeVar, 'relname');
  return rel === undefined ? undefined : `${str(rangeVar, 'schemaname') ?? 'public'}.${rel}`;
}

/** The `sval` of every `String` node under `tree`. */
export function walkStrings(tree: unknown): string[] {
  return [...walkNodes(tree)].flatMap(({ type, node }) =>
    type === 'String' && typeof node.sval === 'string' ? [node.sval] : [],
  );
}

function optionArg(options: unknown, name: string): unknown {
  if (!Array.isArray(options)) return undefined;
  for (const o of options) {
    const def = isNode(o) ? child(o, 'DefElem') : undefined;
    if (def && str(def, 'defname') === name) return def.arg;
  }
  return undefined;
}

/** The string value of a `DefElem` option (`LANGUAGE plpgsql`). */
export function optionString(options: unknown, name: string): string | undefined {
  const arg = optionArg(options, name);
  return isNode(arg) ? str(child(arg, 'String'), 'sval') : undefined;
}

/** The first item of a list option (a function's `AS 'body'`). */
export function optionList(options: unknown, name: string): string | undefined {
  const arg = optionArg(options, name);
  const items = isNode(arg) ? child(arg, 'List')?.items : undefined;
  return names(items)[0] ?? (isNode(arg) ? str(child(arg, 'String'), 'sval') : undefined);
}

/** The names a DROP statement lists, comma separated. */
export function dropNames(node: PgNode): string {
  const objects = Array.isArray(node.objects) ? node.objects : [];
  return objects
    .map((o) => {
      if (!isNode(o)) return '?';
      if (isNode(o.List)) return names(o.List.items).join('.');
      if (isNode(o.String)) return String(o.String.sval);
      if (isNode(o.ObjectWithArgs)) return names(o.ObjectWithArgs.objname).join('.');
      if (isNode(o.TypeName)) return names(o.TypeName.names).join('.');
      return '?';
    })
    .join(', ');
}

/** `schema.name` of each RangeVar in a list, comma separated. */
export function relations(list: unknown): string {
  return (Array.isArray(list) ? list : [])
    .map((r) => (isNode(r) ? qualifiedName(child(r, 'RangeVar')) : undefined) ?? '?')
    .join(', ');
}
