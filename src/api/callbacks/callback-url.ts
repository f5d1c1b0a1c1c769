import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/** Which callback destinations the settings allow besides public https hosts. */
export interface CallbackUrlPolicy {
  /** INFRA_API_CALLBACK_ALLOW_LOOPBACK_HTTP: loopback hosts, over http or https (tests, a local relay). */
  allowLoopback: boolean;
  /** INFRA_API_CALLBACK_ALLOW_PRIVATE: private, link-local and other non-public addresses, over https. */
  allowPrivate: boolean;
}

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/**
 * Not on the public internet: a callback there could reach the bot's own network (SSRF). BlockList
 * checks an IPv4-mapped IPv6 address (::ffff:10.0.0.1) against the IPv4 rules too.
 */
const nonPublic = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  nonPublic.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['64:ff9b::', 96],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  nonPublic.addSubnet(net, bits, 'ipv6');

/** Why the bot may not connect to `address` for a callback, or undefined when it may. */
export function addressProblem(address: string, policy: CallbackUrlPolicy): string | undefined {
  const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  if (loopback.check(address, family))
    return policy.allowLoopback
      ? undefined
      : `${address} is a loopback address (INFRA_API_CALLBACK_ALLOW_LOOPBACK_HTTP)`;
  if (nonPublic.check(address, family))
    return policy.allowPrivate ? undefined : `${address} is not a public address (INFRA_API_CALLBACK_ALLOW_PRIVATE)`;
  return undefined;
}

const isLoopbackHost = (host: string): boolean =>
  host === 'localhost' ||
  host.endsWith('.localhost') ||
  (isIP(host) > 0 && loopback.check(host, isIP(host) === 6 ? 'ipv6' : 'ipv4'));

/** The URL's host without IPv6 brackets. */
const hostOf = (url: URL): string => url.hostname.replace(/^\[|\]$/g, '');

/**
 * Why `raw` may not be a callback URL, or undefined when it may: https only (http only to a loopback
 * host when loopback is allowed), no credentials in it, and every address its host resolves to public
 * unless the policy allows more. Delivery checks the address again as it connects ({@link guardedLookup}).
 */
export async function callbackUrlProblem(
  raw: string,
  policy: CallbackUrlPolicy,
  resolve: (host: string) => Promise<LookupAddress[]> = resolveAll,
): Promise<string | undefined> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'callback_url is not an absolute URL';
  }
  const host = hostOf(url);
  if (url.username || url.password) return 'callback_url may not contain a user name or password';
  if (url.protocol === 'http:' && !(policy.allowLoopback && isLoopbackHost(host))) return 'callback_url must use https';
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'callback_url must use https';
  let addresses: LookupAddress[];
  try {
    addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await resolve(host);
  } catch {
    return `callback_url's host ${host} does not resolve`;
  }
  for (const a of addresses) {
    const problem = addressProblem(a.address, policy);
    if (problem) return `callback_url's host ${host} resolves to ${problem}`;
  }
  return undefined;
}

function resolveAll(host: string): Promise<LookupAddress[]> {
  return new Promise((ok, fail) => dnsLookup(host, { all: true }, (err, list) => (err ? fail(err) : ok(list))));
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for http.request that refuses a non-allowed address at connect time, so a host that
 * resolved to a public address when the request was accepted cannot point the bot inward later.
 */
export function guardedLookup(policy: CallbackUrlPolicy) {
  return (host: string, options: { all?: boolean }, callback: LookupCallback): void => {
    dnsLookup(host, { ...options, all: true }, (err, list) => {
      if (err) return callback(err, []);
      const refused = list.map((a) => addressProblem(a.address, policy)).find(Boolean);
      if (refused) return callback(Object.assign(new Error(`callback refused: ${refused}`), { code: 'EREFUSED' }), []);
      if (options.all) return callback(null, list);
      return callback(null, list[0]!.address, list[0]!.family);
    });
  };
}
