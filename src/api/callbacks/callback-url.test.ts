import { addressProblem, callbackUrlProblem, guardedLookup } from './callback-url';

const strict = { allowLoopback: false, allowPrivate: false };
const resolvesTo =
  (...addresses: string[]) =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

describe('callback URL rule', () => {
  it('accepts an https URL whose host resolves only to public addresses', async () => {
    expect(
      await callbackUrlProblem('https://hooks.example.com/infra', strict, resolvesTo('93.184.216.34')),
    ).toBeUndefined();
  });

  it('refuses http, credentials and a URL that does not parse', async () => {
    expect(await callbackUrlProblem('http://hooks.example.com/x', strict, resolvesTo('93.184.216.34'))).toMatch(
      /https/,
    );
    expect(await callbackUrlProblem('https://u:p@hooks.example.com/x', strict, resolvesTo('93.184.216.34'))).toMatch(
      /user name or password/,
    );
    expect(await callbackUrlProblem('ftp://hooks.example.com/x', strict)).toMatch(/https/);
    expect(await callbackUrlProblem('not a url', strict)).toMatch(/absolute URL/);
  });

  it('refuses a host any of whose addresses is private, link-local, loopback or IPv4-mapped', async () => {
    for (const address of [
      '10.1.2.3',
      '172.20.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '127.0.0.1',
      '::1',
      'fe80::1',
      'fd00::1',
      '::ffff:7f00:1',
    ]) {
      expect(
        await callbackUrlProblem('https://hooks.example.com/x', strict, resolvesTo('93.184.216.34', address)),
      ).toMatch(/resolves to/);
    }
    expect(await callbackUrlProblem('https://[::ffff:127.0.0.1]/x', strict)).toMatch(/loopback/);
    expect(await callbackUrlProblem('https://[::ffff:10.0.0.1]/x', strict)).toMatch(/not a public address/);
    expect(await callbackUrlProblem('https://169.254.169.254/latest', strict)).toMatch(/not a public address/);
  });

  it('allows http to a loopback host only with the loopback setting, and private addresses only with theirs', async () => {
    const loopback = { allowLoopback: true, allowPrivate: false };
    expect(await callbackUrlProblem('http://127.0.0.1:8080/hook', loopback)).toBeUndefined();
    expect(await callbackUrlProblem('http://hooks.example.com/hook', loopback, resolvesTo('127.0.0.1'))).toMatch(
      /https/,
    );
    expect(await callbackUrlProblem('https://10.0.0.5/hook', loopback)).toMatch(/INFRA_API_CALLBACK_ALLOW_PRIVATE/);
    expect(addressProblem('10.0.0.5', { allowLoopback: false, allowPrivate: true })).toBeUndefined();
    expect(addressProblem('127.0.0.1', { allowLoopback: false, allowPrivate: true })).toMatch(/loopback/);
  });

  it('refuses a host that does not resolve', async () => {
    const fails = async () => {
      throw new Error('ENOTFOUND');
    };
    expect(await callbackUrlProblem('https://nowhere.invalid/x', strict, fails)).toMatch(/does not resolve/);
  });

  it('refuses, as the delivery connects, a host that now resolves to a loopback address', async () => {
    const lookup = (policy: { allowLoopback: boolean; allowPrivate: boolean }) =>
      new Promise<string>((ok) =>
        guardedLookup(policy)('localhost', {}, (err, address) => ok(err ? err.message : String(address))),
      );
    expect(await lookup(strict)).toMatch(/callback refused: .* is a loopback address/);
    expect(await lookup({ allowLoopback: true, allowPrivate: false })).toMatch(/^(127\.0\.0\.1|::1)$/);
  });
});
