<?php
/**
 * Signed requests between the plugin and the core, both ways. The header
 * `X-Holdfast-Signature: t=<unix seconds>,v1=<base64url HMAC-SHA256>` signs
 * "<t>\n<METHOD>\n<target>\n<body>" with the store's connector secret, where target is the
 * core's URL path for calls to the core, and the REST route (e.g. /holdfast/v1/stock/adjust)
 * for calls to the plugin, which stays the same with or without pretty permalinks.
 * The same scheme as app/core/tokens/requestSignature.ts.
 *
 * @package Holdfast
 */

namespace Holdfast\Crypto;

defined( 'ABSPATH' ) || exit;

final class RequestSignature {
	/** How far a signed request's time may be from ours: replays older than this are refused. */
	const TOLERANCE_SECONDS = 300;

	public static function header( string $secret, string $method, string $target, string $body, int $now ): string {
		return 't=' . $now . ',v1=' . self::mac( $secret, $now, $method, $target, $body );
	}

	/**
	 * @return string|null Null when the signature holds, otherwise the reason (for the log, never the secret).
	 */
	public static function check( string $secret, string $header, string $method, string $target, string $body, int $now ): ?string {
		if ( ! preg_match( '/^t=(\d{1,12}),v1=([A-Za-z0-9_-]{43})$/', $header, $parts ) ) {
			return 'signature_malformed';
		}
		$time = (int) $parts[1];
		if ( abs( $now - $time ) > self::TOLERANCE_SECONDS ) {
			return 'signature_expired';
		}
		return hash_equals( self::mac( $secret, $time, $method, $target, $body ), $parts[2] ) ? null : 'signature_invalid';
	}

	private static function mac( string $secret, int $time, string $method, string $target, string $body ): string {
		return Base64Url::encode( hash_hmac( 'sha256', $time . "\n" . strtoupper( $method ) . "\n" . $target . "\n" . $body, $secret, true ) );
	}
}
