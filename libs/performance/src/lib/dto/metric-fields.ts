import { isISO8601, isRFC3339, registerDecorator, ValidationOptions } from 'class-validator';

/** What a metric's name may look like (the table's CHECK says the same). */
export const METRIC_NAME_PATTERN = /^[a-z][a-z0-9_.]{0,99}$/;

export const METRIC_LIMITS = {
  unit: 50,
  pointsPerRequest: 1000,
  /** Per point; the whole request must also fit the API's 1 MiB body limit. */
  contextBytes: 4096,
  /** How far ahead of the API server's clock a point may be (agents' clocks drift). */
  futureMinutes: 5,
  /** Buckets one summary may span (per agent, when grouped). */
  buckets: 10_000,
} as const;

/** A summary's bucket widths, in seconds. Each divides a day, so buckets align to UTC days. */
export const METRIC_BUCKETS = {
  '1m': 60,
  '5m': 5 * 60,
  '15m': 15 * 60,
  '30m': 30 * 60,
  '1h': 60 * 60,
  '6h': 6 * 60 * 60,
  '12h': 12 * 60 * 60,
  '1d': 24 * 60 * 60,
} as const;
export type MetricBucket = keyof typeof METRIC_BUCKETS;
export const METRIC_BUCKET_NAMES = Object.keys(METRIC_BUCKETS) as MetricBucket[];
export const DEFAULT_METRIC_BUCKET: MetricBucket = '1h';

/** Before this, a point is a mistake (a zero timestamp, seconds taken for milliseconds). */
export const EARLIEST_POINT = '1970-01-01T00:00:00Z';

/**
 * An instant: an RFC 3339 date-time WITH its offset (`Z` or `±hh:mm`) and a real calendar
 * date. Without an offset the API process's time zone would decide what it means, and the
 * database's could differ; a date like 02-30 would roll over into March.
 */
export function IsInstant(options?: ValidationOptions): PropertyDecorator {
  return (object: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isInstant',
      target: object.constructor,
      propertyName: String(propertyName),
      options: {
        message:
          '$property must be an RFC 3339 date-time with a time zone, e.g. 2026-12-03T10:00:00Z',
        ...options,
      },
      validator: {
        validate: (value: unknown) =>
          value === undefined ||
          value === null ||
          (typeof value === 'string' &&
            isRFC3339(value) &&
            isISO8601(value.replace(' ', 'T'), { strict: true, strictSeparator: true }) &&
            !Number.isNaN(Date.parse(value))),
      },
    });
}

/**
 * A point's time: not before {@link EARLIEST_POINT}, and not more than
 * {@link METRIC_LIMITS.futureMinutes} minutes after the API server's clock (`Date.now()`),
 * which is what the request is checked against. Malformed values are left to {@link IsInstant}.
 */
export function IsPlausiblePointTime(options?: ValidationOptions): PropertyDecorator {
  return (object: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isPlausiblePointTime',
      target: object.constructor,
      propertyName: String(propertyName),
      options: {
        message: `$property must lie between ${EARLIEST_POINT} and ${METRIC_LIMITS.futureMinutes} minutes from now`,
        ...options,
      },
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string') return true;
          const at = Date.parse(value);
          if (Number.isNaN(at)) return true;
          return (
            at >= Date.parse(EARLIEST_POINT) &&
            at <= Date.now() + METRIC_LIMITS.futureMinutes * 60_000
          );
        },
      },
    });
}

/** `to` of a range: not before the object's `from` (when both are valid instants). */
export function NotBeforeFrom(options?: ValidationOptions): PropertyDecorator {
  return (object: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'notBeforeFrom',
      target: object.constructor,
      propertyName: String(propertyName),
      options: { message: '$property must not be before from', ...options },
      validator: {
        validate: (value: unknown, args) => {
          const from = (args?.object as { from?: unknown }).from;
          if (typeof value !== 'string' || typeof from !== 'string') return true;
          const [start, end] = [Date.parse(from), Date.parse(value)];
          return Number.isNaN(start) || Number.isNaN(end) || end >= start;
        },
      },
    });
}
