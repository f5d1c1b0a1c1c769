import type { LocalSlack } from '../../dev/local-slack/local-slack';
import { ApproverGroups } from '../../src/slack/approver-groups';
import { createLogger } from '../../src/logger';
import { startLocalSlackClient } from '../support/slack-fixtures';

describe('approver groups read from Slack', () => {
  let fake: LocalSlack;
  let client: Awaited<ReturnType<typeof startLocalSlackClient>>['client'];
  let groups: ApproverGroups;
  beforeEach(async () => {
    const started = await startLocalSlackClient();
    fake = started.fake;
    client = started.client;
    groups = new ApproverGroups(client, ['@platform-leads', 'S0DBA00001'], createLogger('silent'));
    fake.setUserGroup({ id: 'S0LEADS001', handle: 'platform-leads', users: ['U0LEAD0001'] });
    fake.setUserGroup({ id: 'S0DBA00001', handle: 'dba', users: ['U0DBA00001', 'U0DBA00002'] });
  });
  afterEach(async () => {
    groups.stop();
    await fake.close();
  });

  it('turns a handle into its id with usergroups.list and reads each group’s members', async () => {
    expect(await groups.refresh()).toBe(true);
    expect(groups.current()).toEqual([
      { id: 'S0DBA00001', members: ['U0DBA00001', 'U0DBA00002'] },
      { id: 'S0LEADS001', members: ['U0LEAD0001'] },
    ]);
    expect(fake.callsTo('usergroups.users.list').map((c) => c.params.usergroup)).toEqual(['S0DBA00001', 'S0LEADS001']);
    fake.assertNoUnexpected();
  });

  it('keeps the members last read when Slack fails, and follows a change on the next good read', async () => {
    await groups.refresh();
    fake.failNext('usergroups.list', { error: 'missing_scope' });
    expect(await groups.refresh()).toBe(false);
    expect(groups.current().find((g) => g.id === 'S0LEADS001')?.members).toEqual(['U0LEAD0001']);
    fake.setUserGroup({ id: 'S0LEADS001', handle: 'platform-leads', users: ['U0LEAD0002'] });
    expect(await groups.refresh()).toBe(true);
    expect(groups.current().find((g) => g.id === 'S0LEADS001')?.members).toEqual(['U0LEAD0002']);
  });

  it('adds nobody for a handle Slack does not know, and nobody at all before a first good read', async () => {
    const unknown = new ApproverGroups(client, ['@nobody-here'], createLogger('silent'));
    expect(unknown.current()).toEqual([]);
    expect(await unknown.refresh()).toBe(true);
    expect(unknown.current()).toEqual([]);
    expect(fake.callsTo('usergroups.users.list')).toEqual([]);
    fake.assertNoUnexpected();
  });
});
