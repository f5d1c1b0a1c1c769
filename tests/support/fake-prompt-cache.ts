import { createHash } from 'node:crypto';

/** Token counts the way the Messages API reports them with prompt caching. */
export interface CacheUsage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

/** Blocks looked back from a breakpoint for an earlier cache entry, as the API does. */
const LOOKBACK = 20;
const TTL_MS = 5 * 60_000;

/**
 * The prompt cache of the fake Messages API, computed from the request bodies. A request is a prefix
 * of blocks in the API's order (tools, system, messages); a `cache_control` breakpoint writes the
 * prefix up to it (when it reaches the model's minimum), and a later request reads the longest prefix
 * it shares with a written one, found at a breakpoint or up to 20 blocks before one. A block costs
 * ceil(characters / 4) tokens. Nothing here is scripted, so cache numbers measured against the fake
 * reflect what the code sends.
 */
export class FakePromptCache {
  private readonly entries = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  usage(body: { model?: unknown; tools?: unknown; system?: unknown; messages?: unknown }): CacheUsage {
    const blocks = requestBlocks(body);
    const hashes: string[] = [];
    const tokens: number[] = [];
    let hash = createHash('sha256').update(String(body.model)).digest('hex');
    let sum = 0;
    for (const block of blocks) {
      hash = createHash('sha256').update(hash).update(block.canonical).digest('hex');
      sum += Math.ceil(block.canonical.length / 4);
      hashes.push(hash);
      tokens.push(sum);
    }
    const breakpoints = blocks.flatMap((b, i) => (b.breakpoint ? [i] : []));
    const now = this.now();
    let hit = -1;
    for (const b of breakpoints) {
      for (let j = b; j >= Math.max(0, b - LOOKBACK) && j > hit; j--) {
        const written = this.entries.get(hashes[j]!);
        if (written !== undefined && now - written < TTL_MS) {
          hit = j;
          break;
        }
      }
    }
    const read = hit >= 0 ? tokens[hit]! : 0;
    const minimum = /haiku/.test(String(body.model)) ? 2048 : 1024;
    let written = read;
    for (const b of breakpoints) {
      if (tokens[b]! < minimum) continue;
      this.entries.set(hashes[b]!, now);
      if (b > hit) written = Math.max(written, tokens[b]!);
    }
    const total = sum;
    return {
      cache_read_input_tokens: read,
      cache_creation_input_tokens: written - read,
      input_tokens: total - written,
    };
  }
}

interface Block {
  canonical: string;
  breakpoint: boolean;
}

/** The request as a sequence of blocks, each without its cache_control, messages' blocks tagged with their role. */
function requestBlocks(body: { tools?: unknown; system?: unknown; messages?: unknown }): Block[] {
  const blocks: Block[] = [];
  const add = (prefix: string, block: unknown) => {
    const record =
      typeof block === 'object' && block !== null
        ? (block as Record<string, unknown>)
        : { type: 'text', text: String(block) };
    const { cache_control, ...rest } = record;
    blocks.push({ canonical: `${prefix}:${JSON.stringify(rest)}`, breakpoint: cache_control !== undefined });
  };
  for (const tool of Array.isArray(body.tools) ? body.tools : []) add('tool', tool);
  if (typeof body.system === 'string') add('system', body.system);
  for (const block of Array.isArray(body.system) ? body.system : []) add('system', block);
  for (const message of Array.isArray(body.messages)
    ? (body.messages as Array<{ role?: unknown; content?: unknown }>)
    : []) {
    const content =
      typeof message.content === 'string'
        ? [{ type: 'text', text: message.content }]
        : Array.isArray(message.content)
          ? message.content
          : [];
    for (const block of content) add(String(message.role), block);
  }
  return blocks;
}
