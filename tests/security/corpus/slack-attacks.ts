import type { SlackForgeryAttack } from '../attack-types';

/** Slack requests the bot must not act on. */
export const SLACK_FORGERY_ATTACKS: SlackForgeryAttack[] = [
  {
    kind: 'slack_forgery',
    name: 'a signed click from another channel carrying a real gate id leaves the gate open',
    forgery: 'click_from_other_channel',
  },
  {
    kind: 'slack_forgery',
    name: 'a signed click on another message of the channel carrying a real gate id leaves the gate open',
    forgery: 'click_on_other_message',
  },
  {
    kind: 'slack_forgery',
    name: 'without INFRA_APPROVERS a click by anyone leaves the gate open',
    forgery: 'no_approvers',
  },
  {
    kind: 'slack_forgery',
    name: 'a replayed slash command (same trigger_id, signed anew) starts no second workflow',
    forgery: 'replayed_command',
  },
  {
    kind: 'slack_forgery',
    name: 'a request stamped two minutes in the future is refused and starts nothing',
    forgery: 'future_timestamp',
  },
  {
    kind: 'slack_forgery',
    name: "/infra list typed in another channel does not show this channel's requests",
    forgery: 'list_elsewhere',
  },
  {
    kind: 'slack_forgery',
    name: "/infra status typed in another channel does not show this channel's request",
    forgery: 'status_elsewhere',
  },
];
