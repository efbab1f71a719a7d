<?php
/**
 * Makes `holdfast_order_id` searchable in WooCommerce's order search, for HPOS and legacy
 * storage alike: the core finds an order it created on a retry by searching for its id
 * (app/platforms/woocommerce/WooCommercePlatform.ts findOrder).
 *
 * @package Holdfast
 */

namespace Holdfast\Orders;

defined( 'ABSPATH' ) || exit;

final class OrderSearch {
	const ORDER_ID_META = 'holdfast_order_id';

	public static function register(): void {
		add_filter( 'woocommerce_shop_order_search_fields', array( self::class, 'add_meta_key' ) );
		add_filter( 'woocommerce_order_table_search_query_meta_keys', array( self::class, 'add_meta_key' ) );
	}

	/**
	 * @param mixed $keys Meta keys WooCommerce searches.
	 * @return string[]
	 */
	public static function add_meta_key( $keys ): array {
		$keys = is_array( $keys ) ? $keys : array();
		if ( ! in_array( self::ORDER_ID_META, $keys, true ) ) {
			$keys[] = self::ORDER_ID_META;
		}
		return $keys;
	}
}
