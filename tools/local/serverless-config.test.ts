import { handlerModulePath } from './serverless-config';

describe('handlerModulePath', () => {
  it('maps a Serverless handler to the TypeScript module and export', () => {
    expect(handlerModulePath('functions/settle-payment/handler.handler')).toEqual({
      file: 'functions/settle-payment/handler.ts',
      exportName: 'handler',
    });
    expect(handlerModulePath('./src/a.b.main')).toEqual({ file: 'src/a.b.ts', exportName: 'main' });
  });

  it.each(['handler', 'functions/x/handler.', '.handler', 'functions/x/.handler'])(
    'rejects %p',
    (handler) => {
      expect(() => handlerModulePath(handler)).toThrow('is not of the form');
    },
  );
});
