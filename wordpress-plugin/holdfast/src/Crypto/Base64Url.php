<?php
/**
 * RFC 4648 base64url without padding, as JWT uses it.
 *
 * @package Holdfast
 */

namespace Holdfast\Crypto;

defined( 'ABSPATH' ) || exit;

final class Base64Url {
	public static function encode( string $bytes ): string {
		return rtrim( strtr( base64_encode( $bytes ), '+/', '-_' ), '=' );
	}

	/** Null for anything outside the alphabet: a lenient decode would accept other spellings of a signature. */
	public static function decode( string $text ): ?string {
		if ( ! preg_match( '/^[A-Za-z0-9_-]*$/', $text ) ) {
			return null;
		}
		$bytes = base64_decode( strtr( $text, '-_', '+/' ), true );
		return false === $bytes ? null : $bytes;
	}
}
