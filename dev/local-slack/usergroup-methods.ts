/** usergroups.list and usergroups.users.list over the local Slack's user groups, strictly. */
import { fail, ok, optionalString, type ApiAnswer } from './slack-api-wire';
import type { LocalSlackState } from './local-slack-state';

/** A user group of the workspace (`@handle`), set by the test or the demo. */
export interface LocalUserGroup {
  id: string;
  handle: string;
  name?: string;
  users: string[];
}

const LIST_PARAMS = new Set(['include_users', 'include_count', 'include_disabled', 'team_id']);
const USERS_PARAMS = new Set(['usergroup', 'include_disabled', 'team_id']);

/** Parameters a method does not take are recorded as unexpected (Slack would ignore them; the bot must not send them). */
function strayParams(state: LocalSlackState, method: string, p: Record<string, unknown>, known: Set<string>): boolean {
  const stray = Object.keys(p).filter((k) => !known.has(k) && k !== 'token');
  if (stray.length) state.unexpected.push(`${method}: unknown parameter(s) ${stray.join(', ')}`);
  return stray.length > 0;
}

/** usergroups.list: every group, with its members only when `include_users` is true. */
export function listUserGroups(state: LocalSlackState, p: Record<string, unknown>): ApiAnswer {
  if (strayParams(state, 'usergroups.list', p, LIST_PARAMS)) return fail('invalid_arguments');
  const withUsers = String(p.include_users) === 'true';
  return ok({
    usergroups: [...state.userGroups.values()].map((g) => ({
      id: g.id,
      team_id: state.ids.teamId,
      is_usergroup: true,
      name: g.name ?? g.handle,
      handle: g.handle,
      user_count: g.users.length,
      ...(withUsers ? { users: [...g.users] } : {}),
    })),
  });
}

/** usergroups.users.list: the members of one group; an unknown id is `no_such_subteam`. */
export function userGroupUsers(state: LocalSlackState, p: Record<string, unknown>): ApiAnswer {
  if (strayParams(state, 'usergroups.users.list', p, USERS_PARAMS)) return fail('invalid_arguments');
  const id = optionalString(p.usergroup);
  if (id === undefined || id === '') {
    state.unexpected.push('usergroups.users.list without a usergroup');
    return fail('invalid_arguments');
  }
  const group = state.userGroups.get(id);
  return group ? ok({ users: [...group.users] }) : fail('no_such_subteam');
}
