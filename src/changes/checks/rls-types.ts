/** A security problem found in the catalogs; `rule` names follow Supabase's advisors where one exists. */
export interface RlsFinding {
  rule: string;
  level: 'error' | 'warning';
  /** The table or view concerned (`schema.name`); absent for functions, which the detail names. */
  table?: string;
  /** What the finding is about, stable across runs (a table, a view, `table policy name`, or a function with its arguments). */
  object: string;
  detail: string;
  /** Already on production (in the branch's baseline) and about nothing the change touches: shown apart, never fails a gate. */
  existing?: boolean;
}

/**
 * What one role could do on one table. Each verb starts with `allowed`, `denied`, `not tested` or
 * `not available`, followed by the reason or row counts in brackets. INSERT with an owner column
 * (e.g. `user_id`) reports the user's own row and another user's row, separated by `; `.
 */
export interface RoleProbe {
  table: string;
  role: string;
  select: string;
  insert: string;
  update: string;
  delete: string;
  /** Rows the role could see, when SELECT was allowed. */
  visibleRows?: number;
}
