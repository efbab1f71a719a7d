<?php
/**
 * Calls to the Holdfast core: JSON over HTTPS, signed with the connector secret, with a short
 * explicit timeout so a slow core never hangs a page or a checkout. Failures are logged
 * through WooCommerce's logger and remembered for the admin notice.
 *
 * @package Holdfast
 */

namespace Holdfast\Core;

use Holdfast\Crypto\RequestSignature;
use Holdfast\Options;

defined( 'ABSPATH' ) || exit;

class CoreClient {
	/** Seconds; shopper-facing paths never wait longer than this on the core. */
	const TIMEOUT = 3;

	/**
	 * A request signed with the connector secret.
	 *
	 * @param array<string, mixed>|null $body JSON body, or null for GET.
	 * @return array<string, mixed>
	 * @throws CoreError When the core cannot be reached or refuses.
	 */
	public function signed( string $method, string $path, ?array $body = null ): array {
		$connection = Options::connection();
		if ( empty( $connection['store_id'] ) || empty( $connection['connector_secret'] ) ) {
			throw new CoreError( 'not_connected', __( 'Holdfast is not connected yet.', 'holdfast' ) );
		}
		return $this->request( $method, $path, $body, (string) $connection['connector_secret'], (string) $connection['store_id'] );
	}

	/**
	 * @param array<string, mixed>|null $body JSON body, or null for GET.
	 * @return array<string, mixed>
	 * @throws CoreError When the core cannot be reached or refuses.
	 */
	public function request( string $method, string $path, ?array $body, string $secret, string $store_id ): array {
		$base = Options::settings()['url'];
		if ( '' === $base ) {
			throw new CoreError( 'not_configured', __( 'Enter the Holdfast URL first.', 'holdfast' ) );
		}
		$payload = null === $body ? '' : (string) wp_json_encode( $body );
		$headers = array(
			'accept'               => 'application/json',
			'x-holdfast-signature' => RequestSignature::header( $secret, $method, $path, $payload, time() ),
		);
		if ( '' !== $store_id ) {
			$headers['x-holdfast-store'] = $store_id;
		}
		if ( null !== $body ) {
			$headers['content-type'] = 'application/json';
		}
		$response = wp_remote_request(
			$base . $path,
			array(
				'method'      => $method,
				'timeout'     => self::TIMEOUT,
				'redirection' => 0,
				'headers'     => $headers,
				'body'        => null === $body ? null : $payload,
			)
		);
		if ( is_wp_error( $response ) ) {
			$this->remember_outage( $path, $response->get_error_message() );
			throw new CoreError( 'unreachable', __( 'The Holdfast service could not be reached.', 'holdfast' ) );
		}
		$status  = (int) wp_remote_retrieve_response_code( $response );
		$decoded = json_decode( (string) wp_remote_retrieve_body( $response ), true );
		if ( $status >= 500 || ! is_array( $decoded ) ) {
			$this->remember_outage( $path, 'HTTP ' . $status );
			throw new CoreError( 'invalid_response', __( 'The Holdfast service answered with an error.', 'holdfast' ), $status > 0 ? $status : 502 );
		}
		if ( $status >= 400 ) {
			$code    = isset( $decoded['error']['code'] ) ? (string) $decoded['error']['code'] : 'refused';
			$message = isset( $decoded['error']['message'] ) ? (string) $decoded['error']['message'] : 'HTTP ' . $status;
			self::log( 'warning', 'Holdfast refused ' . $path . ': ' . $code );
			throw new CoreError( $code, $message, $status );
		}
		delete_option( Options::CORE_DOWN );
		return $decoded;
	}

	private function remember_outage( string $path, string $detail ): void {
		update_option( Options::CORE_DOWN, array( 'since' => time(), 'path' => $path ), false );
		self::log( 'error', 'Holdfast unreachable (' . $path . '): ' . $detail );
	}

	/** Through WooCommerce's logger (WooCommerce > Status > Logs, source "holdfast"). */
	public static function log( string $level, string $message ): void {
		if ( function_exists( 'wc_get_logger' ) ) {
			wc_get_logger()->log( $level, $message, array( 'source' => 'holdfast' ) );
		}
	}
}
