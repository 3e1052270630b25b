/** @module `autopilot doctor` checks on the real SDKs: config, storage account, Azure credential, per azure environment its workspace, RBAC permissions, computes, environments and data datastore (dev: the job identity's blob role; prod: metric definitions), sign-in, and in Azure the read-only app folder. */
export { runDoctor, type RunDoctorOptions } from './runDoctor';
export { createDoctorArmClient, listPermissions, PERMISSIONS_API_VERSION, type ArmConnection } from './armDoctorClient';
export { armScope, DEFAULT_ARM_ENDPOINT } from '../armMlClient';
export { checkCredential, principalFromToken, type CredentialOutcome } from './credentialCheck';
export { checkStorage, STEPS_QUEUE, STATE_TABLES, type StorageNeeds } from './storageChecks';
export { resolveDoctorStorageTarget, type DoctorStorageTarget } from './doctorStorageTarget';
export { checkAzureWorkspace, type WorkspaceAssets, type WorkspaceCheckContext } from './workspaceChecks';
export { collectSpecAssets } from './specAssets';
