export * from './types';
export { decide, routeMatches } from './decide';
export { loadPolicy, parsePolicy, PolicyError, type PolicySource } from './load';
export { defaultPolicy } from './defaults';
export { noiseSettings } from './noise-settings';
export { onCallMention, type OnCallMention } from './on-call';
export { appRecipients, type AppRecipients } from './recipients';
export { createPolicyHolder, policyDetails, type Active, type ActivePolicy, type ReloadResult } from './holder';
export { createReloadBus, type ReloadBus, type ReloadReply } from './reload-bus';
