<?php
/**
 * Activation, deactivation and the compatibility declarations WooCommerce asks for.
 *
 * @package Holdfast
 */

namespace Holdfast;

defined( 'ABSPATH' ) || exit;

final class Lifecycle {
	public static function activate(): void {
		if ( ! wp_next_scheduled( Options::REFRESH_EVENT ) ) {
			wp_schedule_event( time() + 60, 'hourly', Options::REFRESH_EVENT );
		}
	}

	/** Keeps settings and the connection (a reactivation carries on); stops background work. */
	public static function deactivate(): void {
		wp_clear_scheduled_hook( Options::REFRESH_EVENT );
	}

	/** HPOS and the Cart/Checkout blocks: every order access goes through the CRUD API, the gate covers the Store API. */
	public static function declare_compatibility(): void {
		if ( class_exists( '\Automattic\WooCommerce\Utilities\FeaturesUtil' ) ) {
			\Automattic\WooCommerce\Utilities\FeaturesUtil::declare_compatibility( 'custom_order_tables', HOLDFAST_FILE, true );
			\Automattic\WooCommerce\Utilities\FeaturesUtil::declare_compatibility( 'cart_checkout_blocks', HOLDFAST_FILE, true );
		}
	}
}
