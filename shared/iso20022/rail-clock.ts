import { RAILS_CONFIG, type RailsConfig } from '../config/rails';
import type { IssueList } from './issues';
import type { Rail } from './rails';

/**
 * The rails' clocks: the business day (what IntrBkSttlmDt must say) and the timeout clock that
 * runs from GrpHdr/CreDtTm. Pure functions of an instant; the US Eastern zone comes from Intl
 * (IANA America/New_York, DST included), no dependency.
 *
 *  - FedNow business day: runs from 7:00 p.m. ET on the preceding calendar day to 7:00 p.m. ET;
 *    payments on a Saturday, Sunday or Federal Reserve holiday carry the NEXT business day's
 *    date (the service runs 24x7x365, its accounting does not). See README "Rail rules".
 *  - RTP: the TCH RTP system settles every calendar day; IntrBkSttlmDt is the US Eastern
 *    calendar date (not verified against the TCH Operating Rules: see README).
 */

const TZ = 'America/New_York';
const DAY_MS = 86_400_000;

const easternFormat = new Intl.DateTimeFormat('en-US', {
  timeZone: TZ,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

export interface WallTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

/** The US Eastern wall-clock time at an instant. */
export function easternWallTime(ms: number): WallTime {
  const parts: Record<string, number> = {};
  for (const p of easternFormat.formatToParts(new Date(ms))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    year: parts['year'] ?? 0,
    month: parts['month'] ?? 0,
    day: parts['day'] ?? 0,
    hour: parts['hour'] ?? 0,
    minute: parts['minute'] ?? 0,
    second: parts['second'] ?? 0,
  };
}

/** Offset of US Eastern from UTC at an instant, in minutes (-300 EST, -240 EDT). */
export function easternOffsetMinutes(ms: number): number {
  const w = easternWallTime(ms);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60_000);
}

/** The instant of a US Eastern wall-clock time (a time skipped by DST resolves forward). */
export function easternInstant(w: WallTime, millis = 0): number {
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, millis);
  let t = asUtc - easternOffsetMinutes(asUtc) * 60_000;
  t = asUtc - easternOffsetMinutes(t) * 60_000;
  return t;
}

const isoDay = (y: number, m: number, d: number) =>
  `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

function addDays(date: string, days: number): string {
  const t = Date.parse(`${date}T00:00:00Z`) + days * DAY_MS;
  return new Date(t).toISOString().slice(0, 10);
}

const weekday = (date: string) => new Date(`${date}T00:00:00Z`).getUTCDay(); // 0 Sunday

/** The n-th (1-based) given weekday of a month, or the last one for n = -1. */
function nthWeekday(year: number, month: number, dow: number, n: number): string {
  if (n > 0) {
    const first = weekday(isoDay(year, month, 1));
    return isoDay(year, month, 1 + ((dow - first + 7) % 7) + (n - 1) * 7);
  }
  const lastDate = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const last = weekday(isoDay(year, month, lastDate));
  return isoDay(year, month, lastDate - ((last - dow + 7) % 7));
}

/**
 * Federal Reserve Bank holidays of a year, as observed: the eleven federal holidays (Juneteenth
 * from 2022); one falling on a Sunday is observed the Monday after; one falling on a Saturday
 * is NOT moved (the Reserve Banks are open the Friday before). Source: frbservices.org
 * "Federal Reserve Bank Services holiday schedules".
 */
export function federalReserveHolidays(year: number): ReadonlySet<string> {
  const fixed = [[1, 1], ...(year >= 2022 ? [[6, 19]] : []), [7, 4], [11, 11], [12, 25]].map(([m, d]) => {
    const date = isoDay(year, m ?? 1, d ?? 1);
    return weekday(date) === 0 ? addDays(date, 1) : date;
  });
  return new Set([
    ...fixed,
    nthWeekday(year, 1, 1, 3), // Birthday of Martin Luther King, Jr.
    nthWeekday(year, 2, 1, 3), // Washington's Birthday
    nthWeekday(year, 5, 1, -1), // Memorial Day
    nthWeekday(year, 9, 1, 1), // Labor Day
    nthWeekday(year, 10, 1, 2), // Columbus Day
    nthWeekday(year, 11, 4, 4), // Thanksgiving Day
  ]);
}

/** A weekday that is not a Federal Reserve holiday. */
export function isFedBusinessDay(date: string): boolean {
  const dow = weekday(date);
  return dow !== 0 && dow !== 6 && !federalReserveHolidays(Number(date.slice(0, 4))).has(date);
}

/** FedNow's business-day cut-over: 7:00 p.m. US Eastern. */
export const FEDNOW_CUTOVER_HOUR_ET = 19;

/** The rail's business day (ISO date) at an instant: what IntrBkSttlmDt must carry. */
export function railBusinessDay(rail: Rail, ms: number): string {
  const w = easternWallTime(ms);
  const calendar = isoDay(w.year, w.month, w.day);
  if (rail === 'rtp') return calendar;
  let date = w.hour >= FEDNOW_CUTOVER_HOUR_ET ? addDays(calendar, 1) : calendar;
  while (!isFedBusinessDay(date)) date = addDays(date, 1);
  return date;
}

/**
 * The instant of an ISODateTime. With an offset (FedNow) it is exact; without one (TCH RTP sends
 * local time) it is read as US Eastern wall time, the rails' home zone.
 */
export function instantOf(dateTime: string): number | undefined {
  const m =
    /^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$/.exec(
      dateTime,
    );
  if (!m) return undefined;
  if (m[8] !== undefined) {
    const t = Date.parse(dateTime);
    return Number.isNaN(t) ? undefined : t;
  }
  const millis = m[7] ? Math.floor(Number(`0${m[7]}`) * 1000) : 0;
  return easternInstant(
    {
      year: Number(m[1]),
      month: Number(m[2]),
      day: Number(m[3]),
      hour: Number(m[4]),
      minute: Number(m[5]),
      second: Number(m[6]),
    },
    millis,
  );
}

/** `2026-12-04T14:05:09-05:00` (or without the offset, as TCH RTP writes it): US Eastern. */
export function easternDateTime(ms: number, withOffset = true): string {
  const w = easternWallTime(ms);
  const base = `${isoDay(w.year, w.month, w.day)}T${String(w.hour).padStart(2, '0')}:${String(w.minute).padStart(2, '0')}:${String(w.second).padStart(2, '0')}`;
  if (!withOffset) return base;
  const off = easternOffsetMinutes(ms);
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  return `${base}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** The rail's deadline for a message created at `creationMs`: CreDtTm + the timeout clock. */
export function railDeadline(rail: Rail, creationMs: number, config: RailsConfig = RAILS_CONFIG): number {
  return creationMs + config[rail].timeout.seconds * 1000;
}

export interface RailClockOptions {
  /** The instant the message arrived (ms since the epoch). */
  readonly now: number;
  /** Tolerated clock difference for a CreDtTm ahead of ours (default: the rails config). */
  readonly clockSkewSeconds?: number;
  readonly config?: RailsConfig;
}

/**
 * The clock rules (only with a `now`):
 *  - CreDtTm more than the skew in the future -> DT01;
 *  - CreDtTm + the rail's timeout clock already past on arrival -> AB06 (timed out before we,
 *    the instructed agent, could act);
 *  - IntrBkSttlmDt not the rail's business day (at arrival or at CreDtTm, so a message created
 *    just before the cut-over still passes) -> DT01.
 */
export function checkRailClock(
  input: { rail: Rail; creDtTm?: string; settlementDate?: string; settlementField: string },
  options: RailClockOptions,
  issues: IssueList,
): void {
  const config = options.config ?? RAILS_CONFIG;
  const skew = options.clockSkewSeconds ?? config.clockSkewSeconds;
  const { rail } = input;
  const { now } = options;
  const created = input.creDtTm !== undefined ? instantOf(input.creDtTm) : undefined;
  const timeout = config[rail].timeout.seconds;
  if (created !== undefined) {
    if (created > now + skew * 1000) {
      issues.add(
        'GrpHdr.CreDtTm',
        'DT01',
        `CreDtTm is ${Math.round((created - now) / 1000)} s in the future (clock skew allowed: ${skew} s)`,
      );
    } else if (now > railDeadline(rail, created, config)) {
      issues.add(
        'GrpHdr.CreDtTm',
        'AB06',
        `message timed out: created ${Math.round((now - created) / 1000)} s ago, the ${rail === 'rtp' ? 'RTP' : 'FedNow'} timeout clock is ${timeout} s from CreDtTm`,
      );
    }
  }
  if (input.settlementDate !== undefined) {
    const allowed = new Set([railBusinessDay(rail, now)]);
    // A message created just before the cut-over and still within its clock keeps its day.
    if (created !== undefined && created <= now && now <= railDeadline(rail, created, config))
      allowed.add(railBusinessDay(rail, created));
    if (!allowed.has(input.settlementDate)) {
      issues.add(
        input.settlementField,
        'DT01',
        `IntrBkSttlmDt must be the ${rail === 'rtp' ? 'RTP' : 'FedNow'} business day ${[...allowed].join(' or ')}`,
      );
    }
  }
}
