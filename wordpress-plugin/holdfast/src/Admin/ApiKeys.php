<?php
/**
 * The WooCommerce REST key pair Holdfast writes stock and orders with, created the way
 * WooCommerce's own key screen creates one (the consumer key stored hashed, the secret as is).
 *
 * @package Holdfast
 */

namespace Holdfast\Admin;

defined( 'ABSPATH' ) || exit;

final class ApiKeys {
	/**
	 * @return array{id: int, consumer_key: string, consumer_secret: string}
	 * @throws \RuntimeException When the key cannot be saved.
	 */
	public static function create( int $user_id ): array {
		global $wpdb;
		$consumer_key    = 'ck_' . wc_rand_hash();
		$consumer_secret = 'cs_' . wc_rand_hash();
		$saved           = $wpdb->insert(
			$wpdb->prefix . 'woocommerce_api_keys',
			array(
				'user_id'         => $user_id,
				'description'     => 'Holdfast',
				'permissions'     => 'read_write',
				'consumer_key'    => wc_api_hash( $consumer_key ),
				'consumer_secret' => $consumer_secret,
				'truncated_key'   => substr( $consumer_key, -7 ),
			),
			array( '%d', '%s', '%s', '%s', '%s', '%s' )
		);
		if ( ! $saved ) {
			throw new \RuntimeException( 'the WooCommerce REST key could not be saved' );
		}
		return array(
			'id'              => (int) $wpdb->insert_id,
			'consumer_key'    => $consumer_key,
			'consumer_secret' => $consumer_secret,
		);
	}

	public static function revoke( int $key_id ): void {
		global $wpdb;
		$wpdb->delete( $wpdb->prefix . 'woocommerce_api_keys', array( 'key_id' => $key_id ), array( '%d' ) );
	}
}
