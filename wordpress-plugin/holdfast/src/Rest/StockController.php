<?php
/**
 * POST /wp-json/holdfast/v1/stock/adjust: the core's stock write-back as relative changes.
 * An absolute `stock_quantity` written over REST overwrites a sale WooCommerce made since the
 * core last read the stock; a delta applied with wc_update_product_stock() (a relative SQL
 * update in WooCommerce's data store) keeps it. Each request carries an idempotency key: a
 * retried request returns the first answer instead of applying its deltas twice.
 *
 * Body: {"key": "...", "adjustments": [{"ref": "123" | "123:456", "from": 10, "to": 7}]}.
 *
 * @package Holdfast
 */

namespace Holdfast\Rest;

use Holdfast\Crypto\RequestSignature;
use Holdfast\Options;

defined( 'ABSPATH' ) || exit;

class StockController {
	const NAMESPACE_V1 = 'holdfast/v1';
	/** Idempotency records: one option each, so add_option's unique insert is the lock. */
	const APPLIED_PREFIX = 'holdfast_stock_';
	const MAX_ADJUSTMENTS = 100;

	public function register(): void {
		add_action( 'rest_api_init', array( $this, 'routes' ) );
	}

	public function routes(): void {
		register_rest_route(
			self::NAMESPACE_V1,
			'/status',
			array(
				'methods'             => 'GET',
				'permission_callback' => '__return_true',
				'callback'            => array( $this, 'status' ),
			)
		);
		register_rest_route(
			self::NAMESPACE_V1,
			'/stock/adjust',
			array(
				'methods'             => 'POST',
				'permission_callback' => array( $this, 'signed_by_core' ),
				'callback'            => array( $this, 'adjust' ),
			)
		);
	}

	/** What the core and the merchant may know without a secret: version and whether Connect ran. */
	public function status(): \WP_REST_Response {
		return new \WP_REST_Response(
			array(
				'plugin'    => HOLDFAST_VERSION,
				'connected' => Options::is_connected(),
			),
			200
		);
	}

	/**
	 * @param \WP_REST_Request $request The request.
	 * @return true|\WP_Error
	 */
	public function signed_by_core( $request ) {
		$connection = Options::connection();
		if ( empty( $connection['connector_secret'] ) ) {
			return new \WP_Error( 'holdfast_not_connected', 'This store is not connected to Holdfast.', array( 'status' => 401 ) );
		}
		$reason = RequestSignature::check(
			(string) $connection['connector_secret'],
			(string) $request->get_header( 'x-holdfast-signature' ),
			$request->get_method(),
			$request->get_route(),
			(string) $request->get_body(),
			time()
		);
		return null === $reason ? true : new \WP_Error( 'holdfast_' . $reason, 'The request is not signed by this store\'s Holdfast service.', array( 'status' => 401 ) );
	}

	/**
	 * @param \WP_REST_Request $request The request.
	 * @return \WP_REST_Response|\WP_Error
	 */
	public function adjust( $request ) {
		$body = json_decode( (string) $request->get_body(), true );
		$key  = is_array( $body ) && isset( $body['key'] ) && is_string( $body['key'] ) ? $body['key'] : '';
		$list = is_array( $body ) && isset( $body['adjustments'] ) && is_array( $body['adjustments'] ) ? $body['adjustments'] : null;
		if ( ! preg_match( '/^[\x21-\x7e]{1,200}$/', $key ) || null === $list || count( $list ) > self::MAX_ADJUSTMENTS ) {
			return new \WP_Error( 'holdfast_invalid_adjustment', 'Expected {key, adjustments: [{ref, from, to}]} with at most 100 adjustments.', array( 'status' => 400 ) );
		}
		$parsed = array();
		foreach ( $list as $entry ) {
			$ref = is_array( $entry ) && isset( $entry['ref'] ) ? (string) $entry['ref'] : '';
			if ( ! preg_match( '/^([1-9]\d{0,15})(?::([1-9]\d{0,15}))?$/', $ref, $match ) || ! is_int( $entry['from'] ?? null ) || ! is_int( $entry['to'] ?? null ) || $entry['to'] < 0 ) {
				return new \WP_Error( 'holdfast_invalid_adjustment', 'Each adjustment needs a ref ("<product>" or "<product>:<variation>") and whole numbers from and to (to >= 0).', array( 'status' => 400 ) );
			}
			$parsed[] = array(
				'ref'  => $ref,
				'id'   => isset( $match[2] ) ? (int) $match[2] : (int) $match[1],
				'from' => $entry['from'],
				'to'   => $entry['to'],
			);
		}
		$record = self::APPLIED_PREFIX . hash( 'sha256', $key );
		// add_option inserts a unique row: of two concurrent deliveries of one key, one applies.
		if ( ! add_option( $record, array( 'at' => time(), 'results' => null ), '', false ) ) {
			$first = get_option( $record );
			return new \WP_REST_Response( array( 'duplicate' => true, 'results' => is_array( $first ) ? $first['results'] : null ), 200 );
		}
		$results = array();
		foreach ( $parsed as $adjustment ) {
			$results[] = $this->apply( $adjustment );
		}
		update_option( $record, array( 'at' => time(), 'results' => $results ), false );
		return new \WP_REST_Response( array( 'duplicate' => false, 'results' => $results ), 200 );
	}

	/**
	 * @param array{ref: string, id: int, from: int, to: int} $adjustment One change.
	 * @return array<string, mixed>
	 */
	private function apply( array $adjustment ): array {
		$product = wc_get_product( $adjustment['id'] );
		if ( ! $product || ! $product->managing_stock() ) {
			return array( 'ref' => $adjustment['ref'], 'error' => $product ? 'not_managing_stock' : 'not_found' );
		}
		$delta = $adjustment['to'] - $adjustment['from'];
		if ( 0 === $delta ) {
			return array( 'ref' => $adjustment['ref'], 'stock' => (int) $product->get_stock_quantity(), 'applied' => 0 );
		}
		$stock = wc_update_product_stock( $product, abs( $delta ), $delta < 0 ? 'decrease' : 'increase' );
		$result = array( 'ref' => $adjustment['ref'], 'stock' => (int) $stock, 'applied' => $delta );
		// WooCommerce sold more than the core knew: never leave a negative count, and say so.
		if ( (int) $stock < 0 ) {
			$result['stock']   = (int) wc_update_product_stock( $product, -(int) $stock, 'increase' );
			$result['clamped'] = true;
		}
		return $result;
	}

	/** Deletes idempotency records older than a day (the core retries for minutes, not days). */
	public static function forget_old(): void {
		global $wpdb;
		$names = $wpdb->get_col( $wpdb->prepare( "SELECT option_name FROM {$wpdb->options} WHERE option_name LIKE %s", $wpdb->esc_like( self::APPLIED_PREFIX ) . '%' ) );
		foreach ( $names as $name ) {
			$record = get_option( $name );
			if ( ! is_array( $record ) || (int) $record['at'] < time() - DAY_IN_SECONDS ) {
				delete_option( $name );
			}
		}
	}
}
