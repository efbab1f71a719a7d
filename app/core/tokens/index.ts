export { checkTokenTimes, isTokenShaped, MAX_TOKEN_LENGTH, signToken, unverifiedClaims, verifyToken, type TokenClaims, type VerifyOptions } from "./jwt.ts";
export { findKey, type Keyring, type SigningKey } from "./keyring.ts";
export { sessionBinding } from "./sessionBinding.ts";
export { TokenError, type TokenErrorCode } from "./TokenError.ts";
export { VerifiedTokenCache, type VerifiedToken, type VerifiedTokenCacheOptions } from "./VerifiedTokenCache.ts";
export { verifyHoldClaims, type HoldClaims, type HoldTokenCheck, type HoldTokenLine, type KeyringSource } from "./holdToken.ts";
