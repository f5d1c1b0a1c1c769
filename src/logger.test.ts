import { Writable } from 'node:stream';
import { createLogger, scrubUrl } from './logger';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger('info', stream), lines };
}

describe('logging', () => {
  it('never writes tokens, keys, secrets or connection strings', () => {
    const { logger, lines } = capture();
    logger.info(
      {
        SLACK_BOT_TOKEN: 'xoxb-secret-1',
        req: { headers: { authorization: 'Bearer sk-ant-2' } },
        config: { DATABASE_URL: 'postgres://u:pw3@h/db', apiKey: 'sk-4' },
      },
      'starting',
    );
    const out = lines.join('');
    for (const secret of ['xoxb-secret-1', 'sk-ant-2', 'pw3', 'sk-4']) expect(out).not.toContain(secret);
    expect(out).toContain('[redacted]');
  });

  it('removes the password from a connection string shown to people', () => {
    expect(scrubUrl('postgres://infra:s3cret@db:5432/app')).toBe('postgres://infra:***@db:5432/app');
    expect(scrubUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });
});
