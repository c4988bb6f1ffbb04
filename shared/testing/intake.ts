import type { Partner } from '../domain/partner';
import { FakeClock, FakePaymentStore, FakeQueue } from './fakes';

/** An active partner acting for `agentIds`, for intake tests. */
export function testPartner(partnerId: string, agentIds: readonly string[]): Partner {
  return { partnerId, name: partnerId, status: 'ACTIVE', agentIds, currencies: ['USD'] };
}

/** Fake store, queue and clock wired as the submit use cases take them. */
export function intakeWorld(now: number, slaSeconds = 15) {
  const store = new FakePaymentStore();
  const queue = new FakeQueue();
  const clock = new FakeClock(now);
  return { store, queue, clock, deps: { store, queue, clock, slaSeconds } };
}
