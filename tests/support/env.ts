/**
 * Environment every integration/e2e test worker starts with, before any module loads:
 * Powertools quiet (tests assert behaviour, not log lines, unless they capture logs themselves),
 * dummy AWS credentials, and no Node-version nag from the SDK (Lambda runs nodejs22.x; the
 * machines here run Node 20 with the SDK versions pinned by the lock file).
 */
Object.assign(process.env, {
  POWERTOOLS_SERVICE_NAME: 'rtp-pipeline',
  POWERTOOLS_METRICS_NAMESPACE: 'RtpPipeline',
  POWERTOOLS_LOG_LEVEL: process.env.RTP_TEST_VERBOSE === '1' ? 'DEBUG' : 'CRITICAL',
  POWERTOOLS_METRICS_DISABLED: 'true',
  POWERTOOLS_TRACE_ENABLED: 'false',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_REGION: 'us-east-1',
});
