import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { waitingGates } from '../../../metrics/digest-data';
import { gateWaitsFor } from '../../../domain/approval-policy';
import { computeMetrics } from '../../../metrics/metric-queries';
import { listActiveWorkflows } from '../../../store/workflows-repo';
import { appHomeView } from '../../../views/app-home-view';
import type { ListenerDeps } from '../listener-deps';

const homeOpenedSchema = z.object({ user: z.string().min(1), tab: z.string().optional() });

/** Days of the metrics on the Home tab. */
const HOME_METRIC_DAYS = 7;

/** The Home tab, drawn afresh each time someone opens it: their gates, active workflows, metrics. */
export function appHomeOpened(deps: ListenerDeps) {
  return async ({ event, client }: SlackEventMiddlewareArgs<'app_home_opened'> & AllMiddlewareArgs): Promise<void> => {
    const opened = homeOpenedSchema.safeParse(event);
    if (!opened.success || (opened.data.tab !== undefined && opened.data.tab !== 'home')) return;
    const user = opened.data.user;
    try {
      const now = deps.now();
      const window = { now, timeZone: deps.timeZone, days: HOME_METRIC_DAYS };
      const [gates, active, current, previous] = await Promise.all([
        waitingGates(deps.pool),
        listActiveWorkflows(deps.pool),
        computeMetrics(deps.pool, window),
        computeMetrics(deps.pool, { ...window, back: 1 }),
      ]);
      const gatesForMe = gates.filter((g) => gateWaitsFor(deps.engine.policy, g, user));
      await client.views.publish({
        user_id: user,
        view: appHomeView({ now, timeZone: deps.timeZone, gatesForMe, active, current, previous }),
      });
    } catch (error) {
      deps.logger.error({ err: error }, 'could not publish the Home tab');
    }
  };
}
