import { pendingCleanups, registerCleanup, runAllCleanups } from './cleanup';

describe('cleanup registry', () => {
  afterEach(() => runAllCleanups());

  it('runs each callback at most once, and removes its process hooks when empty', () => {
    const before = process.listenerCount('SIGTERM');
    const callback = jest.fn();
    const registration = registerCleanup('test', callback);
    expect(pendingCleanups()).toBe(1);
    expect(process.listenerCount('SIGTERM')).toBe(before + 1);
    registration.runNow();
    registration.runNow();
    runAllCleanups();
    expect(callback).toHaveBeenCalledTimes(1);
    expect(pendingCleanups()).toBe(0);
    expect(process.listenerCount('SIGTERM')).toBe(before);
  });

  it('keeps running the other callbacks when one throws, and reports it', () => {
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const after = jest.fn();
    registerCleanup('after', after);
    registerCleanup('failing', () => {
      throw new Error('cannot kill');
    });
    runAllCleanups();
    expect(after).toHaveBeenCalledTimes(1);
    expect(write).toHaveBeenCalledWith(expect.stringContaining('failing failed'));
    write.mockRestore();
  });

  it('forgets an unregistered callback', () => {
    const callback = jest.fn();
    registerCleanup('gone', callback).unregister();
    runAllCleanups();
    expect(callback).not.toHaveBeenCalled();
  });
});
