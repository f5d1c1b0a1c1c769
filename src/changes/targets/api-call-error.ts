import { ActionFailedError } from '../../domain/errors';

/** A failed call of a platform API (Supabase, GitHub); `status` is the HTTP status, undefined for network errors and timeouts. */
export class ApiCallError extends ActionFailedError {
  constructor(
    action: string,
    message: string,
    retryable: boolean,
    readonly status: number | undefined,
  ) {
    super(action, message, retryable);
    this.name = new.target.name;
  }
}
