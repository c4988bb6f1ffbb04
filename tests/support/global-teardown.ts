/** jest `globalTeardown` of the integration project: stops the stand-ins started by global-setup.ts. */
import { forgetStandIns, runningStandIns } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  const standIns = runningStandIns();
  if (standIns === undefined) return;
  forgetStandIns();
  await standIns.stop();
}
