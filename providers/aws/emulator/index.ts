export { startEmulator, type AwsEmulatorOptions, type AwsRunningEmulator } from './server';
export { SANDBOX_ACCOUNT, SANDBOX_ROLES, REGIONS, roleArn } from './catalog';
