<?php
/**
 * Verifies the core's hold tokens offline: JWT HS256, header {alg: HS256, typ: JWT, kid},
 * claims {typ: "hold", s: sale id, h: hold id, iat, exp, ...}. The same checks, in the same
 * order, as app/core/tokens/jwt.ts; claims we do not know are kept, not refused (the core
 * adds claims over time).
 *
 * @package Holdfast
 */

namespace Holdfast\Crypto;

defined( 'ABSPATH' ) || exit;

final class HoldToken {
	/** The core refuses longer tokens before any work; so do we. */
	const MAX_LENGTH = 2048;

	/** @var array<string, mixed> */
	private $claims;

	/**
	 * @param array<string, mixed> $claims Verified claims.
	 */
	private function __construct( array $claims ) {
		$this->claims = $claims;
	}

	/**
	 * @param string                $token   The token as the shopper's cart carries it.
	 * @param callable              $key_for kid => raw secret bytes, or null when the store has no such key.
	 * @param int                   $now     Seconds since the epoch.
	 * @throws TokenRejected For anything forged, expired, malformed or signed with an unknown key.
	 */
	public static function verify( string $token, callable $key_for, int $now ): self {
		if ( strlen( $token ) > self::MAX_LENGTH || ! preg_match( '/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/', $token ) ) {
			throw new TokenRejected( 'token_malformed', 'The hold token is not a well-formed Holdfast token.' );
		}
		list( $header_part, $claims_part, $signature ) = explode( '.', $token );
		$header = self::json( $header_part );
		// "none" and every other algorithm are refused before a key is looked up.
		if ( null === $header || ( $header['alg'] ?? null ) !== 'HS256' || ! isset( $header['kid'] ) || ! is_string( $header['kid'] ) || array_key_exists( 'crit', $header ) ) {
			throw new TokenRejected( 'token_malformed', 'The hold token header is not HS256 with a key id.' );
		}
		$secret = $key_for( $header['kid'] );
		if ( ! is_string( $secret ) || '' === $secret ) {
			throw new TokenRejected( 'token_unknown_key', 'The hold token was signed with a key this store does not have.' );
		}
		$expected = Base64Url::encode( hash_hmac( 'sha256', $header_part . '.' . $claims_part, $secret, true ) );
		// Compare the text, as the core does: another spelling of the same bytes is not the signature.
		if ( ! hash_equals( $expected, $signature ) ) {
			throw new TokenRejected( 'token_bad_signature', 'The hold token signature does not match.' );
		}
		$claims = self::json( $claims_part );
		if ( null === $claims || ! isset( $claims['typ'] ) || ! is_string( $claims['typ'] ) || ! self::is_time( $claims['iat'] ?? null )
			|| ( array_key_exists( 'exp', $claims ) && ! self::is_time( $claims['exp'] ) )
			|| ( array_key_exists( 'nbf', $claims ) && ! self::is_time( $claims['nbf'] ) ) ) {
			throw new TokenRejected( 'token_malformed', 'The hold token claims are incomplete.' );
		}
		if ( 'hold' !== $claims['typ'] ) {
			throw new TokenRejected( 'token_wrong_type', 'Expected a hold token, got a ' . $claims['typ'] . ' token.' );
		}
		if ( array_key_exists( 'nbf', $claims ) && $now < $claims['nbf'] ) {
			throw new TokenRejected( 'token_not_yet_valid', 'The hold token is not valid yet.' );
		}
		// A hold without an expiry would be a hold forever: the core always sets one.
		if ( ! array_key_exists( 'exp', $claims ) || $now >= $claims['exp'] ) {
			throw new TokenRejected( 'token_expired', 'The hold has expired.' );
		}
		if ( ! isset( $claims['s'], $claims['h'] ) || ! is_string( $claims['s'] ) || ! is_string( $claims['h'] ) || '' === $claims['s'] || '' === $claims['h'] ) {
			throw new TokenRejected( 'token_malformed', 'The hold token names no sale or hold.' );
		}
		return new self( $claims );
	}

	public function sale_id(): string {
		return $this->claims['s'];
	}

	public function hold_id(): string {
		return $this->claims['h'];
	}

	public function expires_at(): int {
		return (int) $this->claims['exp'];
	}

	/**
	 * Held units per sale item, from the token's `ln` claim (a list of `{"i": itemId, "q": units}`,
	 * the same claim the Shopify checkout gate reads), or null when this token does not carry it.
	 *
	 * @return array<string, int>|null
	 */
	public function lines(): ?array {
		$lines = $this->claims['ln'] ?? null;
		if ( ! is_array( $lines ) ) {
			return null;
		}
		$result = array();
		foreach ( $lines as $line ) {
			if ( ! is_array( $line ) ) {
				continue;
			}
			$item     = $line['i'] ?? null;
			$quantity = $line['q'] ?? null;
			if ( is_string( $item ) && is_int( $quantity ) && $quantity > 0 ) {
				$result[ $item ] = ( $result[ $item ] ?? 0 ) + $quantity;
			}
		}
		return $result;
	}

	/** @return array<string, mixed> */
	public function claims(): array {
		return $this->claims;
	}

	/** @return array<string, mixed>|null */
	private static function json( string $segment ): ?array {
		$bytes = Base64Url::decode( $segment );
		if ( null === $bytes ) {
			return null;
		}
		$value = json_decode( $bytes, true );
		// A JSON object only: a list decodes to an array too, but it is no claim set.
		return is_array( $value ) && ( array() === $value || array_keys( $value ) !== range( 0, count( $value ) - 1 ) ) ? $value : null;
	}

	/** @param mixed $value */
	private static function is_time( $value ): bool {
		return is_int( $value ) && $value >= 0;
	}
}
