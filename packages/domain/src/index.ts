export * from './policy.js';
export * from './consent.js';
export * from './patient.js';
export * from './audit-chain.js';
export * from './consent-templates.js';
export * from './photo-protocol.js';
export * from './photo-consistency.js';
export * from './photo-compliance.js';
