import { startDynamoDbLocal, type DynamoDbLocalHandle, type StartDynamoDbLocalOptions } from './dynamodb';
import { startSqsEmulator, type SqsEmulatorHandle, type StartSqsEmulatorOptions } from './sqs';

/**
 * Starts DynamoDB Local and the SQS emulator together. Each one that started has its stop()
 * pushed on `stops` before any failure is rethrown, so a half-started pair never leaks a JVM.
 */
export async function startEmulatorPair(
  options: { readonly dynamodb?: StartDynamoDbLocalOptions; readonly sqs?: StartSqsEmulatorOptions },
  stops: (() => Promise<void>)[],
): Promise<{ dynamodb: DynamoDbLocalHandle; sqs: SqsEmulatorHandle }> {
  const [dynamodbStart, sqsStart] = await Promise.allSettled([
    startDynamoDbLocal(options.dynamodb),
    startSqsEmulator(options.sqs),
  ]);
  if (dynamodbStart.status === 'fulfilled') stops.push(() => dynamodbStart.value.stop());
  if (sqsStart.status === 'fulfilled') stops.push(() => sqsStart.value.stop());
  if (dynamodbStart.status === 'rejected') throw dynamodbStart.reason;
  if (sqsStart.status === 'rejected') throw sqsStart.reason;
  return { dynamodb: dynamodbStart.value, sqs: sqsStart.value };
}
