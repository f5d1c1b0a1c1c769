import { isScalar, parseAllDocuments, visit } from 'yaml';
import type { Check } from '../../domain/records';
import type { CiFile } from './ci-file-policy';

/**
 * Action owners trusted without a look: GitHub's own actions and Supabase's. Anything else in a
 * `uses:` (another owner, a `docker://` image) is code from outside and is flagged; a local
 * `./path` is in the repository and is not.
 */
export const TRUSTED_ACTION_OWNERS = ['actions', 'supabase'];

const SHOWN_LINES = 40;
const SHOWN_CHARS = 2400;
const MAX_ITEMS = 12;

/** What one workflow file asks for, read from its parsed YAML. */
export interface WorkflowFindings {
  secrets: string[];
  inheritsSecrets: string[];
  pullRequestTarget: boolean;
  writePermissions: string[];
  outside: string[];
}

/** What a workflow file asks for, from its parsed YAML; the parser's message when it is not a workflow. */
export function workflowFindings(content: string): { findings: WorkflowFindings } | { error: string } {
  // Merge keys are applied, so a `<<:` cannot hide what it brings in.
  const docs = parseAllDocuments(content, { uniqueKeys: true, merge: true });
  if (docs.length !== 1) return { error: `${docs.length} YAML documents; a workflow file holds one` };
  const doc = docs[0]!;
  const problem = doc.errors[0];
  if (problem) return { error: problem.message.split('\n')[0]! };
  let root: unknown;
  try {
    root = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return { error: (error as Error).message };
  }
  if (!isRecord(root) || !isRecord(root.jobs))
    return { error: 'not a GitHub Actions workflow: there is no `jobs` map' };
  const findings: WorkflowFindings = {
    secrets: [],
    inheritsSecrets: [],
    pullRequestTarget: triggers(root.on).includes('pull_request_target'),
    writePermissions: [],
    outside: [],
  };
  visit(doc, {
    Pair(_key, pair) {
      // An `if:` value is an expression even without ${{ }}.
      if (isScalar(pair.key) && pair.key.value === 'if' && isScalar(pair.value))
        addSecrets(findings.secrets, String(pair.value.value));
    },
    Scalar(_key, node) {
      if (typeof node.value === 'string')
        for (const expr of expressions(node.value)) addSecrets(findings.secrets, expr);
    },
  });
  findings.writePermissions.push(...writes(root.permissions).map((w) => `${w} (whole workflow)`));
  for (const [name, job] of Object.entries(root.jobs)) {
    if (!isRecord(job)) continue;
    findings.writePermissions.push(...writes(job.permissions).map((w) => `${w} (job ${name})`));
    if (job.secrets === 'inherit')
      findings.inheritsSecrets.push(`job ${name}${typeof job.uses === 'string' ? ` → ${job.uses}` : ''}`);
    if (typeof job.uses === 'string' && outsideUses(job.uses)) findings.outside.push(`uses: ${job.uses}`);
    for (const image of images(job)) findings.outside.push(`image: ${image}`);
    for (const step of Array.isArray(job.steps) ? job.steps : []) {
      if (!isRecord(step)) continue;
      if (typeof step.uses === 'string' && outsideUses(step.uses)) findings.outside.push(`uses: ${step.uses}`);
      if (typeof step.run === 'string') for (const host of hostsIn(step.run)) findings.outside.push(`run: ${host}`);
    }
  }
  findings.secrets = unique(findings.secrets);
  findings.outside = unique(findings.outside);
  return { findings };
}

/**
 * The checks a reviewer reads at the CI Review gate: four flags over all files (secrets,
 * `pull_request_target`, write permissions, outside hosts and actions), then one check per file
 * carrying the text the gate shows. A file that does not parse is a failed check.
 * `pull_request_target` fails: such a workflow runs on pull requests from forks with the
 * repository's secrets and a token that can write, so it needs the failed-check override.
 */
export function ciReviewChecks(files: CiFile[], declaredSecrets: string[]): Check[] {
  const per = files.map((file) => ({
    file,
    name: file.path.split('/').pop()!,
    result: workflowFindings(file.content),
  }));
  const parsed = per.flatMap((p) => ('findings' in p.result ? [{ name: p.name, f: p.result.findings }] : []));
  const listing = (pick: (f: WorkflowFindings) => string[]): string =>
    parsed
      .filter((p) => pick(p.f).length)
      .map((p) => `${p.name}: ${bounded(pick(p.f))}`)
      .join('; ');
  const secrets = listing((f) => [
    ...f.secrets.map((s) =>
      s === '*'
        ? 'every secret (the whole secrets context)'
        : declaredSecrets.includes(s)
          ? s
          : `${s} (not in pipeline.secrets)`,
    ),
    ...f.inheritsSecrets.map((j) => `secrets: inherit in ${j}`),
  ]);
  const target = parsed.filter((p) => p.f.pullRequestTarget).map((p) => p.name);
  const writePerms = listing((f) => f.writePermissions);
  const outside = listing((f) => f.outside);
  const checks: Check[] = [
    secrets
      ? { name: 'Secrets used', status: 'warn', detail: secrets }
      : { name: 'Secrets used', status: 'pass', detail: 'none' },
    target.length
      ? {
          name: 'pull_request_target trigger',
          status: 'fail',
          detail:
            `${target.join(', ')}: runs on pull requests from forks with the repository's secrets and a ` +
            `write token; use pull_request`,
        }
      : { name: 'pull_request_target trigger', status: 'pass', detail: 'none' },
    writePerms
      ? { name: 'Write permissions', status: 'warn', detail: writePerms }
      : { name: 'Write permissions', status: 'pass', detail: 'none asked' },
    outside
      ? {
          name: 'Outside hosts and actions',
          status: 'warn',
          detail: `${outside} (trusted without a look: ${TRUSTED_ACTION_OWNERS.map((o) => `${o}/*`).join(', ')} and ./ actions)`,
        }
      : { name: 'Outside hosts and actions', status: 'pass', detail: 'none' },
  ];
  for (const { file, result } of per) {
    const lines = file.content.replace(/\n$/, '').split('\n');
    const excerpt = excerptOf(lines);
    const shownNote =
      excerpt.lines < lines.length
        ? `first ${excerpt.lines} of ${lines.length} lines shown; the whole file is attached in the thread`
        : `${lines.length} line(s)`;
    checks.push(
      'error' in result
        ? { name: file.path, status: 'fail', detail: `not valid: ${result.error}; ${shownNote}`, code: excerpt.text }
        : { name: file.path, status: 'pass', detail: shownNote, code: excerpt.text },
    );
  }
  return checks;
}

function excerptOf(lines: string[]): { text: string; lines: number } {
  const out: string[] = [];
  let size = 0;
  for (const line of lines.slice(0, SHOWN_LINES)) {
    if (size + line.length + 1 > SHOWN_CHARS) break;
    out.push(line);
    size += line.length + 1;
  }
  return { text: out.join('\n'), lines: out.length };
}

function triggers(on: unknown): string[] {
  if (typeof on === 'string') return [on];
  if (Array.isArray(on)) return on.filter((t): t is string => typeof t === 'string');
  return isRecord(on) ? Object.keys(on) : [];
}

function writes(permissions: unknown): string[] {
  if (permissions === 'write-all') return ['write-all'];
  if (!isRecord(permissions)) return [];
  return Object.entries(permissions)
    .filter(([, level]) => level === 'write')
    .map(([scope]) => `${scope}: write`);
}

function outsideUses(uses: string): boolean {
  if (uses.startsWith('./')) return false;
  if (uses.startsWith('docker://')) return true;
  const owner = uses.split('/')[0]!.toLowerCase();
  return !TRUSTED_ACTION_OWNERS.includes(owner);
}

function images(job: Record<string, unknown>): string[] {
  const image = (c: unknown): string | undefined =>
    typeof c === 'string' ? c : isRecord(c) && typeof c.image === 'string' ? c.image : undefined;
  const services = isRecord(job.services) ? Object.values(job.services).map(image) : [];
  return [image(job.container), ...services].filter((i): i is string => Boolean(i));
}

/** Hosts of the http(s) URLs a shell script names; a URL built at run time cannot be seen. */
function hostsIn(script: string): string[] {
  const hosts: string[] = [];
  for (const [url] of script.matchAll(/\bhttps?:\/\/[^\s'"`<>()[\]{}|;]+/gi)) {
    try {
      hosts.push(new URL(url).hostname);
    } catch {
      hosts.push(url);
    }
  }
  return hosts;
}

function expressions(text: string): string[] {
  return [...text.matchAll(/\$\{\{([\s\S]*?)\}\}/g)].map((m) => m[1]!);
}

/** `secrets.NAME`, `secrets['NAME']`; the bare `secrets` context (e.g. `toJSON(secrets)`) is every secret, `*`. */
function addSecrets(into: string[], expression: string): void {
  for (const m of expression.matchAll(
    /(?<![.\w])secrets\b\s*(?:\.\s*([A-Za-z_][A-Za-z0-9_-]*)|\[\s*['"]([^'"]+)['"]\s*\])?/gi,
  )) {
    into.push(m[1] ?? m[2] ?? '*');
  }
}

function bounded(items: string[]): string {
  return items.length > MAX_ITEMS
    ? `${items.slice(0, MAX_ITEMS).join(', ')} and ${items.length - MAX_ITEMS} more`
    : items.join(', ');
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
