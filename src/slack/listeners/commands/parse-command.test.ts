import { MAX_REQUEST_LENGTH } from '../../../domain/request-text';
import { parseCommand } from './parse-command';

describe('parseCommand', () => {
  it('answers empty input with the usage and a note showing an example request', () => {
    for (const raw of ['', '   ', '\n\t ']) {
      const parsed = parseCommand(raw);
      expect(parsed.type).toBe('help');
      expect(parsed).toEqual({ type: 'help', note: expect.stringContaining('/infra Add a new table') });
    }
  });

  it('answers `help` with the usage and no note, whatever its case', () => {
    expect(parseCommand('help')).toEqual({ type: 'help' });
    expect(parseCommand('  HELP ')).toEqual({ type: 'help' });
  });

  it('reads `list` as the list of active workflows', () => {
    expect(parseCommand('list')).toEqual({ type: 'list' });
    expect(parseCommand('List')).toEqual({ type: 'list' });
  });

  it('reads `status 12` and `status #12` as the status of workflow 12', () => {
    expect(parseCommand('status 12')).toEqual({ type: 'status', id: 12 });
    expect(parseCommand('status #12')).toEqual({ type: 'status', id: 12 });
    expect(parseCommand('  Status   #12  ')).toEqual({ type: 'status', id: 12 });
  });

  it('answers `status` without a usable id with the usage and a note asking for the id', () => {
    for (const raw of ['status', 'status #', 'status abc', 'status 0', 'status -3', 'status 1.5']) {
      const parsed = parseCommand(raw);
      expect(parsed).toEqual({ type: 'help', note: expect.stringContaining('`/infra status` takes one workflow id') });
    }
  });

  it('reads `cancel 7` as cancelling workflow 7', () => {
    expect(parseCommand('cancel 7')).toEqual({ type: 'cancel', id: 7 });
    expect(parseCommand('cancel #7')).toEqual({ type: 'cancel', id: 7 });
  });

  it('answers `cancel` without an id with a note asking for the id', () => {
    expect(parseCommand('cancel')).toEqual({
      type: 'help',
      note: expect.stringContaining('`/infra cancel` takes one workflow id'),
    });
  });

  it('reads a sentence as a request, trimmed but otherwise unchanged', () => {
    expect(parseCommand('  Add a new table for user preferences \n')).toEqual({
      type: 'request',
      text: 'Add a new table for user preferences',
    });
  });

  it('reads a sentence that starts with a subcommand word as a request', () => {
    expect(parseCommand('list all tables without an index')).toEqual({
      type: 'request',
      text: 'list all tables without an index',
    });
  });

  it('accepts a request of exactly the limit', () => {
    const text = `Add ${'a'.repeat(MAX_REQUEST_LENGTH - 8)} now`;
    expect(text).toHaveLength(MAX_REQUEST_LENGTH);
    expect(parseCommand(text)).toEqual({ type: 'request', text });
  });

  it('refuses a request over 3,000 characters with a message naming its length and the limit', () => {
    expect(MAX_REQUEST_LENGTH).toBe(3000);
    const text = `Add a new table ${'x'.repeat(3200)}`;
    const parsed = parseCommand(text);
    expect(parsed.type).toBe('invalid');
    const { message } = parsed as { message: string };
    expect(message).toContain(`Your request is ${text.length.toLocaleString('en-US')} characters`);
    expect(message).toContain('the limit is 3,000');
  });

  it('measures the length after trimming surrounding whitespace', () => {
    const text = `Add ${'a'.repeat(MAX_REQUEST_LENGTH - 8)} now`;
    expect(parseCommand(`   ${text}   `)).toEqual({ type: 'request', text });
  });

  it('answers a two-word unknown input with the usage and a note quoting it', () => {
    const parsed = parseCommand('deploy now');
    expect(parsed).toEqual({ type: 'help', note: expect.stringContaining('I did not understand `deploy now`') });
  });

  it('answers a subcommand with unexpected arguments as unknown input rather than running it', () => {
    expect(parseCommand('help me')).toEqual({
      type: 'help',
      note: expect.stringContaining('I did not understand `help me`'),
    });
    expect(parseCommand('list all')).toEqual({
      type: 'help',
      note: expect.stringContaining('I did not understand `list all`'),
    });
  });
});

describe('parseCommand with extra words after status or cancel', () => {
  it('never turns "cancel 7 please" or "status 12 for me" into a new request', () => {
    expect(parseCommand('cancel 7 please')).toMatchObject({ type: 'help' });
    expect(parseCommand('status 12 for me')).toMatchObject({ type: 'help' });
  });

  it('refuses ids written in hex or with an exponent', () => {
    expect(parseCommand('status 0x10')).toMatchObject({ type: 'help' });
    expect(parseCommand('cancel 1e1')).toMatchObject({ type: 'help' });
  });
});

describe('parseCommand for metrics', () => {
  it('reads `metrics` as the last 7 days, and `metrics 7d` or `metrics 30D` as that many days', () => {
    expect(parseCommand('metrics')).toEqual({ type: 'metrics', days: 7 });
    expect(parseCommand('metrics 7d')).toEqual({ type: 'metrics', days: 7 });
    expect(parseCommand(' Metrics 30D ')).toEqual({ type: 'metrics', days: 30 });
  });

  it('answers another period, or more words, with the usage of metrics rather than starting a workflow', () => {
    for (const raw of ['metrics 90d', 'metrics 7', 'metrics 7d please', 'metrics for the last week']) {
      expect(parseCommand(raw)).toEqual({
        type: 'help',
        note: expect.stringContaining('`/infra metrics` takes `7d` (the default) or `30d`'),
      });
    }
  });
});
