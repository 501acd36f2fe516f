import { inspect } from 'node:util';

/**
 * Base of every object that holds a venue secret: it prints as "[redacted]" in logs, JSON,
 * template strings, errors and util.inspect, so a key cannot leak by accident.
 */
export abstract class Redacted {
  toString(): string {
    return '[redacted]';
  }

  toJSON(): string {
    return '[redacted]';
  }

  [inspect.custom](): string {
    return '[redacted]';
  }
}
