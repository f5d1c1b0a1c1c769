/** A table named by schema and name, as the catalogs spell them (unquoted, case kept). */
export interface TableName {
  schema: string;
  name: string;
  /** `schema.name` for people, quoted only where a plain name would not read back the same. */
  display: string;
  /** `"schema"."name"`, always quoted: for SQL text. */
  sql: string;
}

const PART = String.raw`(?:"((?:[^"]|"")+)"|([^".\s]+))`;
const QUALIFIED = new RegExp(`^${PART}(?:\\.${PART})?$`);

/**
 * Parses `schema.table`, `table` (schema `public`) or quoted forms such as `"My Schema"."T"`;
 * unquoted parts fold to lower case as Postgres folds them. Undefined when it is not a table name.
 */
export function parseTableName(text: string): TableName | undefined {
  const m = QUALIFIED.exec(text.trim());
  if (!m) return undefined;
  const first = m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2]?.toLowerCase();
  const second = m[3] !== undefined ? m[3].replace(/""/g, '"') : m[4]?.toLowerCase();
  if (first === undefined) return undefined;
  const [schema, name] = second === undefined ? ['public', first] : [first, second];
  return { schema, name, display: `${plain(schema)}.${plain(name)}`, sql: `${quoteIdent(schema)}.${quoteIdent(name)}` };
}

/** Quotes an identifier for SQL text: always, so keywords and mixed case are safe. */
export function quoteIdent(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

function plain(identifier: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(identifier) ? identifier : quoteIdent(identifier);
}
