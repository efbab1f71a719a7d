export { loadMasterKey, MASTER_KEY_VARIABLE, type LoadedMasterKey, type MasterKeyOptions } from "./masterKey.ts";
export { MASTER_KEY_BYTES, open, openJson, seal } from "./seal.ts";
export { SecretsError, type SecretsErrorCode } from "./SecretsError.ts";
export { MAX_PREVIOUS_KEYS, newKeyring, newSigningKey, openKeyring, rotate, sealKeyring } from "./signingKeys.ts";
