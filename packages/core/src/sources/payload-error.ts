/** A webhook body that cannot become alerts. ingest answers 400 with this message. */
export class PayloadError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'PayloadError';
  }
}

/** A Sentry-Hook-Resource the gateway does not know. */
export class UnknownResourceError extends PayloadError {
  constructor(resource: string) {
    super(`unknown Sentry-Hook-Resource "${resource.slice(0, 40)}": expected issue, error, event_alert, metric_alert, installation or comment`, 'Sentry-Hook-Resource');
    this.name = 'UnknownResourceError';
  }
}
