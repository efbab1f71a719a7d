<?php
/**
 * Shared set-up: a fresh WordPress/WooCommerce stand-in per test, a connected store, a fake
 * core behind wp_remote_request, and hold tokens signed the way the core signs them.
 *
 * @package Holdfast\Tests
 */

namespace Holdfast\Tests;

use Holdfast\Crypto\Base64Url;
use Holdfast\Crypto\RequestSignature;
use Holdfast\Options;
use Holdfast\Plugin;

abstract class TestCase extends \PHPUnit\Framework\TestCase {
	const CORE      = 'https://core.test';
	const STORE     = 'st_test';
	const CONNECTOR = 'connector-secret-0123456789abcdef';
	const KID       = 'k1';
	const SECRET    = 'hold-key-secret-0123456789abcdef';
	const SALE      = 'sale1';

	/** @var array<string, mixed> What the fake core answers, by "METHOD path". */
	protected $core_answers = array();
	/** @var bool When true the fake core does not answer at all. */
	protected $core_down = false;

	protected function setUp(): void {
		\Harness::reset();
		\WC_Store::reset();
		\WC_Product::$stock = array();
		Plugin::reset();
		$this->core_answers = array(
			'GET /v1/connector/keys'  => array( 'keys' => array( array( 'kid' => self::KID, 'k' => Base64Url::encode( self::SECRET ) ) ) ),
			'GET /v1/connector/drops' => array(
				'drops' => array(
					array(
						'sale'  => self::SALE,
						'state' => 'live',
						'name'  => 'Winter drop',
						'items' => array( '10' => 'item-a', '20:21' => 'item-b' ),
					),
				),
			),
		);
		\Harness::$http = function ( string $url, array $args ) {
			if ( $this->core_down ) {
				return new \WP_Error( 'http_request_failed', 'cURL error 28: Operation timed out' );
			}
			$path = substr( $url, strlen( self::CORE ) );
			$key  = $args['method'] . ' ' . $path;
			if ( ! array_key_exists( $key, $this->core_answers ) ) {
				return harness_response( 404, array( 'error' => array( 'code' => 'not_found', 'message' => 'no route' ) ) );
			}
			$answer = $this->core_answers[ $key ];
			return is_callable( $answer ) ? $answer( $args ) : harness_response( 200, $answer );
		};
	}

	/** A store that ran Connect: URL, store id, connector secret, keys. */
	protected function connect_store( string $policy = Options::FAIL_CLOSED ): void {
		update_option( Options::SETTINGS, array( 'url' => self::CORE, 'fail_policy' => $policy ) );
		update_option( Options::CONNECTION, array( 'store_id' => self::STORE, 'connector_secret' => self::CONNECTOR, 'connected_at' => time() ) );
		Plugin::instance()->keys->refresh();
		Plugin::instance()->drops->refresh();
		new \WC_Product( 10, 50 );
		new \WC_Product( 20, null );
		new \WC_Product( 21, 30, 20 );
		new \WC_Product( 30, 5 );
	}

	/** Hooks the plugin as plugins_loaded would. */
	protected function boot(): Plugin {
		Plugin::boot();
		return Plugin::instance();
	}

	/**
	 * A hold token as app/core/tokens/jwt.ts signs it.
	 *
	 * @param array<string, mixed> $claims Extra or overriding claims.
	 */
	protected static function token( array $claims = array(), string $kid = self::KID, string $secret = self::SECRET ): string {
		$now    = time();
		$claims = array_merge( array( 'typ' => 'hold', 's' => self::SALE, 'h' => 'hold-1', 'sh' => 'session', 'iat' => $now, 'exp' => $now + 600 ), $claims );
		$input  = Base64Url::encode( json_encode( array( 'alg' => 'HS256', 'typ' => 'JWT', 'kid' => $kid ) ) ) . '.' . Base64Url::encode( json_encode( $claims ) );
		return $input . '.' . Base64Url::encode( hash_hmac( 'sha256', $input, $secret, true ) );
	}

	/** A REST request to the plugin signed as the core signs it. */
	protected static function signed_request( string $route, array $body, string $secret = self::CONNECTOR, ?int $at = null ): \WP_REST_Request {
		$request = new \WP_REST_Request( 'POST', $route );
		$raw     = json_encode( $body );
		$request->set_body( $raw );
		$request->set_header( 'x-holdfast-signature', RequestSignature::header( $secret, 'POST', $route, $raw, $at ?? time() ) );
		return $request;
	}

	/** @return string[] codes of the error notices shown */
	protected static function error_codes(): array {
		$codes = array();
		foreach ( \WC_Store::$notices as $notice ) {
			if ( 'error' === $notice[0] ) {
				$codes[] = $notice[2]['holdfast'] ?? 'other';
			}
		}
		return $codes;
	}
}
