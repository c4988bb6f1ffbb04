import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { AuthenticationError, DuplicateError, InternalError, ValidationError } from '../domain/errors';
import { intakeRefusals } from './middleware';
import { pipelineMetrics } from './metrics';

describe('intakeRefusals middleware', () => {
  const context = {} as Context;
  const run = async (error: Error) => {
    const handler = middy(async () => {
      throw error;
    }).use(intakeRefusals());
    await expect(handler({}, context)).rejects.toBe(error);
  };

  it('counts exposed refusals by reason code and lets the error through untouched', async () => {
    const spy = jest.spyOn(pipelineMetrics, 'intakeRefusal').mockImplementation(() => undefined);
    try {
      await run(ValidationError.field('amountMinor', 'AM12', 'must be greater than zero'));
      await run(new DuplicateError('same EndToEndId'));
      await run(new AuthenticationError('stale', 'signature too old'));
      await run(new InternalError('boom'));
      expect(spy.mock.calls).toEqual([['AM12'], ['DUPL']]);
    } finally {
      spy.mockRestore();
    }
  });
});
