import { parseObservabilitySettings } from './settings';

describe('observability settings', () => {
  it('reads the stage and the runtime settings parameter, empty meaning none', () => {
    expect(
      parseObservabilitySettings({
        STAGE: 'prod',
        RTP_OPS_PARAMETER: '/rtp-pipeline/prod/observability',
        RTP_OPS_PARAMETER_MAX_AGE_SECONDS: '30',
      }),
    ).toEqual({
      stage: 'prod',
      opsParameter: '/rtp-pipeline/prod/observability',
      opsParameterMaxAgeSeconds: 30,
    });
    expect(parseObservabilitySettings({ STAGE: 'local', RTP_OPS_PARAMETER: '' })).toEqual({
      stage: 'local',
      opsParameterMaxAgeSeconds: 60,
    });
  });

  it('never fails a cold start: an invalid value means nothing configured', () => {
    expect(parseObservabilitySettings({ RTP_OPS_PARAMETER_MAX_AGE_SECONDS: 'soon' })).toEqual({
      opsParameterMaxAgeSeconds: 60,
    });
  });
});
