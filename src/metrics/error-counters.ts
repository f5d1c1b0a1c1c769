import { Counter, type Registry } from 'prom-client';

type Fetch = typeof fetch;

/** Errors of the external APIs, counted by this process as its calls fail. */
export interface ErrorCounters {
  slack: Counter<'method' | 'error'>;
  anthropic: Counter<'status'>;
}

export function createErrorCounters(registry: Registry): ErrorCounters {
  return {
    slack: new Counter({
      name: 'infra_slack_errors_total',
      help: 'Slack Web API calls of this process that failed: HTTP errors, network errors and ok:false answers',
      labelNames: ['method', 'error'],
      registers: [registry],
    }),
    anthropic: new Counter({
      name: 'infra_anthropic_errors_total',
      help: 'Anthropic API requests of this process that failed (each SDK retry counts), by HTTP status or "network"',
      labelNames: ['status'],
      registers: [registry],
    }),
  };
}

/** A fetch for @slack/web-api that counts failed calls: transport errors, HTTP errors and `ok: false`. */
export function slackCountingFetch(counter: ErrorCounters['slack'], inner: Fetch = fetch): Fetch {
  return async (input, init) => {
    const method = slackMethod(input);
    let response: Response;
    try {
      response = await inner(input, init);
    } catch (error) {
      counter.inc({ method, error: 'network' });
      throw error;
    }
    if (!response.ok) {
      counter.inc({ method, error: `http_${response.status}` });
    } else if ((response.headers.get('content-type') ?? '').includes('json')) {
      const body = (await response
        .clone()
        .json()
        .catch(() => undefined)) as { ok?: boolean; error?: unknown } | undefined;
      if (body && body.ok === false)
        counter.inc({ method, error: typeof body.error === 'string' ? body.error : 'unknown' });
    }
    return response;
  };
}

/** A fetch for the Anthropic SDK that counts failed requests, retries included. */
export function anthropicCountingFetch(counter: ErrorCounters['anthropic'], inner: Fetch = fetch): Fetch {
  return async (input, init) => {
    let response: Response;
    try {
      response = await inner(input, init);
    } catch (error) {
      counter.inc({ status: 'network' });
      throw error;
    }
    if (!response.ok) counter.inc({ status: String(response.status) });
    return response;
  };
}

/** `chat.postMessage` from `https://slack.com/api/chat.postMessage`; uploads to a file URL are `upload`. */
export function slackMethod(input: Parameters<Fetch>[0]): string {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  const last = new URL(url).pathname.split('/').filter(Boolean).pop() ?? '';
  return /^[a-z]+(\.[A-Za-z]+)+$/.test(last) ? last : 'upload';
}
