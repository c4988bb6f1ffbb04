import { createLambdaContext, invokeWithTimeout, LambdaTimeoutError } from './lambda-context';

const silent = { info: jest.fn(), warn: jest.fn(), error: jest.fn() };

describe('createLambdaContext', () => {
  it('describes the function like Lambda, with a fresh request id per invocation', () => {
    const first = createLambdaContext({ functionName: 'settle', timeoutSeconds: 6, memorySize: 512 });
    const second = createLambdaContext({ functionName: 'settle', timeoutSeconds: 6 });
    expect(first).toMatchObject({
      functionName: 'settle',
      functionVersion: '$LATEST',
      memoryLimitInMB: '512',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:settle',
      logGroupName: '/aws/lambda/settle',
      callbackWaitsForEmptyEventLoop: true,
    });
    expect(first.logStreamName).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(first.awsRequestId).not.toBe(second.awsRequestId);
    expect(first.getRemainingTimeInMillis()).toBeGreaterThan(5_000);
    expect(first.getRemainingTimeInMillis()).toBeLessThanOrEqual(6_000);
    expect(() => first.succeed('x')).toThrow('not supported');
  });
});

describe('invokeWithTimeout', () => {
  it('resolves with the result and rejects with the error of the handler (sync throws included)', async () => {
    const context = createLambdaContext({ functionName: 'f', timeoutSeconds: 1 });
    await expect(invokeWithTimeout(async (event: number) => event + 1, 41, context)).resolves.toBe(42);
    await expect(
      invokeWithTimeout(
        () => {
          throw new Error('sync');
        },
        0,
        context,
      ),
    ).rejects.toThrow('sync');
  });

  it("rejects at the deadline with Lambda's message; a later failure of the handler is reported, not unhandled", async () => {
    const context = createLambdaContext({ functionName: 'f', timeoutSeconds: 0.2 });
    let rejectLate: (error: Error) => void = () => undefined;
    const late = new Promise<never>((_resolve, reject) => {
      rejectLate = reject;
    });
    const invocation = invokeWithTimeout(() => late, undefined, context, silent);
    await expect(invocation).rejects.toThrow(new LambdaTimeoutError(context.awsRequestId, 0.2));
    await expect(invocation).rejects.toThrow('Task timed out after 0.20 seconds');
    expect(context.getRemainingTimeInMillis()).toBe(0);
    rejectLate(new Error('too late'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(silent.error).toHaveBeenCalledWith(
      'handler failed after its invocation had already timed out',
      expect.objectContaining({ awsRequestId: context.awsRequestId }),
    );
  });
});
