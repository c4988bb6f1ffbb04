import type { FieldIssue } from '../domain/errors';
import type { ReasonCode } from '../domain/reasons';

/** Collects every validation problem so the partner gets them all in one answer. */
export class IssueList {
  readonly items: FieldIssue[] = [];

  add(field: string, code: ReasonCode, message: string): void {
    this.items.push({ field, code, message });
  }

  /** Records FF01 "missing" and returns undefined when `value` is absent or blank. */
  required<T>(value: T | undefined, field: string, what?: string): T | undefined {
    if (value === undefined || (typeof value === 'string' && value.trim() === '')) {
      this.add(field, 'FF01', `${what ?? field.split('.').pop() ?? field} is mandatory but missing`);
      return undefined;
    }
    return value;
  }

  get empty(): boolean {
    return this.items.length === 0;
  }
}
