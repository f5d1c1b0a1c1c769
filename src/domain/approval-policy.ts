/**
 * Who may do what: the one place that says it. Gates, the report's production rollback, answers to an
 * agent's question, comments the agents read and cancelling all ask here.
 */

/** A Slack user group whose members approve (INFRA_APPROVER_GROUPS), as last read from Slack. */
export interface ApproverGroup {
  /** The group's id, `S…`; shown as the group's mention. */
  id: string;
  members: readonly string[];
}

/** Who may decide gates (INFRA_APPROVERS, INFRA_APPROVER_GROUPS and INFRA_REQUESTER_MAY_APPROVE_MERGE). */
export interface GatePolicy {
  /**
   * The approvers' Slack user ids; `'*'` makes everyone in the channel an approver. Unset means nobody:
   * the bot fails closed, so no gate can be decided and nothing rolled back until it is set.
   */
  approvers?: readonly string[] | '*';
  /** Approvers by user group; with `approvers`, a union. Unset or empty adds nobody. */
  approverGroups?: readonly ApproverGroup[];
  /** When false (the default), the requester may not approve the gate that merges to production. */
  requesterMayApproveMerge: boolean;
}

const HOW_TO_SET =
  'Set INFRA_APPROVERS to the approvers’ Slack user ids (comma separated), or to `*` to let everyone in the ' +
  'channel decide, or INFRA_APPROVER_GROUPS to Slack user groups, and restart the bot.';

const mention = (id: string): string => `<@${id}>`;
const groupMention = (id: string): string => `<!subteam^${id}>`;

/** True when `user` is an approver: listed in INFRA_APPROVERS, a member of an approver group, or anyone with `*`. */
export function isApprover(policy: GatePolicy, user: string): boolean {
  if (policy.approvers === '*') return true;
  return (policy.approvers ?? []).includes(user) || (policy.approverGroups ?? []).some((g) => g.members.includes(user));
}

/** No approver at all: nothing listed and no group with a member (fail closed). */
function nobodyApproves(policy: GatePolicy): boolean {
  if (policy.approvers === '*') return false;
  return !(policy.approvers ?? []).length && !(policy.approverGroups ?? []).some((g) => g.members.length);
}

/** The listed approvers and the approver groups, as mentions. */
function approverMentions(policy: GatePolicy): string {
  const listed = policy.approvers === '*' ? [] : (policy.approvers ?? []);
  return [...listed.map(mention), ...(policy.approverGroups ?? []).map((g) => groupMention(g.id))].join(', ');
}

/** Why nobody may act yet: nothing set, or groups that have no member (or could not be read yet). */
function nobodyReason(policy: GatePolicy, what: string): string {
  if (policy.approverGroups?.length)
    return (
      `Nobody can ${what}: INFRA_APPROVERS lists nobody and the groups of INFRA_APPROVER_GROUPS have no members ` +
      '(or could not be read from Slack yet). Add people to the group, or set INFRA_APPROVERS.'
    );
  return `Nobody can ${what} until INFRA_APPROVERS is set. ${HOW_TO_SET}`;
}

/** Why `user` may not act as an approver for `what` (e.g. "decide this gate"), or undefined when they may. */
function approverRefusal(policy: GatePolicy, user: string, what: string): string | undefined {
  if (nobodyApproves(policy)) return nobodyReason(policy, what);
  if (isApprover(policy, user)) return undefined;
  return `Only the approvers (${approverMentions(policy)}) can ${what}. Ask one of them.`;
}

/**
 * Why `user` may not decide a gate, or undefined when they may: approvers only, and the requester does
 * not let the gate that merges their own change pass (`passes`: an approval, or anything else that
 * opens the gate) unless the policy allows it. Rejecting or rolling back is always theirs to do.
 */
export function gateDecisionRefusal(
  policy: GatePolicy,
  gate: { merges: boolean; requester: string },
  passes: boolean,
  user: string,
): string | undefined {
  const refusal = approverRefusal(policy, user, 'decide this gate');
  if (refusal) return refusal;
  if (passes && gate.merges && user === gate.requester && !policy.requesterMayApproveMerge) {
    return 'You requested this change, so someone else must approve the gate that merges it to production. Ask another approver.';
  }
  return undefined;
}

/** Why `user` may not roll production back, or undefined when they may: approvers only. */
export function rollbackRefusal(policy: GatePolicy, user: string): string | undefined {
  return approverRefusal(policy, user, 'roll back production');
}

/** The requester and the approvers: the people whose thread text the agents read and whose answers count. */
export function mayTalkToAgents(policy: GatePolicy, workflow: { requester: string }, user: string): boolean {
  return user === workflow.requester || isApprover(policy, user);
}

/** A thread comment an agent may read, with its author and why the author is heard. */
export interface HeardComment {
  user: string;
  role: 'requester' | 'approver';
  text: string;
}

/** The comments of the requester and the approvers, oldest first; everyone else's never reach an agent. */
export function commentsForAgents(
  policy: GatePolicy,
  workflow: { requester: string },
  comments: ReadonlyArray<{ user: string; text: string }>,
): HeardComment[] {
  return comments
    .filter((c) => mayTalkToAgents(policy, workflow, c.user))
    .map((c) => ({ user: c.user, role: c.user === workflow.requester ? 'requester' : 'approver', text: c.text }));
}

/** Who may answer an agent's question, in mrkdwn with mentions (for the note to anyone else). */
export function whoMayAnswer(policy: GatePolicy, workflow: { requester: string }): string {
  if (policy.approvers === '*') return `the requester ${mention(workflow.requester)} or anyone in the channel`;
  if (nobodyApproves(policy)) return `the requester ${mention(workflow.requester)}`;
  return `the requester ${mention(workflow.requester)} or an approver (${approverMentions(policy)})`;
}

/** Why `user` may not cancel the workflow, or undefined when they may: the requester or an approver. */
export function cancelRefusal(
  policy: GatePolicy,
  workflow: { id: number; requester: string },
  user: string,
): string | undefined {
  if (mayTalkToAgents(policy, workflow, user)) return undefined;
  return `Only the requester (${mention(workflow.requester)}) or an approver can cancel workflow #${workflow.id}.`;
}

/** True when `user` may decide the gate and has not approved it yet: the gate waits for them. */
export function gateWaitsFor(
  policy: GatePolicy,
  gate: { merges: boolean; requester: string; approvals: readonly string[] },
  user: string,
): boolean {
  return !gate.approvals.includes(user) && gateDecisionRefusal(policy, gate, true, user) === undefined;
}

/** The context line under a gate's buttons: who may decide, or that nobody can until INFRA_APPROVERS is set. */
export function approversNote(policy: GatePolicy, merges: boolean, requester: string): string {
  if (nobodyApproves(policy)) return `:lock: ${nobodyReason(policy, 'decide this gate')}`;
  const who =
    policy.approvers === '*'
      ? 'Anyone in the channel may decide (INFRA_APPROVERS=*)'
      : `Approvers: ${approverMentions(policy)}`;
  const notRequester =
    merges && !policy.requesterMayApproveMerge
      ? ` · the requester ${mention(requester)} may not approve the merge`
      : '';
  return `${who}${notRequester}`;
}
