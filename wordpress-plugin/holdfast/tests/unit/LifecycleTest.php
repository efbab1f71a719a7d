<?php
/**
 * Activation, compatibility declarations, order search, the widget, uninstall.
 *
 * @package Holdfast\Tests
 */

namespace Holdfast\Tests;

use Holdfast\Lifecycle;
use Holdfast\Options;
use Holdfast\Plugin;
use Holdfast\Rest\StockController;
use Holdfast\Uninstaller;
use Holdfast\Widget\Strings;

final class LifecycleTest extends TestCase {
	public function test_it_declares_hpos_and_blocks_compatibility_for_its_own_file(): void {
		Lifecycle::declare_compatibility();
		$this->assertSame(
			array( array( 'custom_order_tables', HOLDFAST_FILE, true ), array( 'cart_checkout_blocks', HOLDFAST_FILE, true ) ),
			\Automattic\WooCommerce\Utilities\FeaturesUtil::$declared
		);
	}

	public function test_holdfast_order_id_is_searchable_in_both_order_storages(): void {
		$this->boot();
		$this->assertContains( 'holdfast_order_id', apply_filters( 'woocommerce_shop_order_search_fields', array( '_billing_address_index' ) ) );
		$this->assertContains( 'holdfast_order_id', apply_filters( 'woocommerce_order_table_search_query_meta_keys', array() ) );
	}

	public function test_without_woocommerce_it_only_shows_a_notice(): void {
		ob_start();
		Plugin::woocommerce_missing();
		$this->assertStringContainsString( 'Holdfast needs WooCommerce', (string) ob_get_clean() );
	}

	public function test_the_widget_is_configured_on_a_drop_product_page_only(): void {
		$this->connect_store();
		$this->boot();
		\Harness::$is_product = true;
		\Harness::$queried_id = 30;
		do_action( 'wp_enqueue_scripts' );
		$this->assertSame( array(), \Harness::$scripts );

		\Harness::$queried_id = 20;
		do_action( 'wp_enqueue_scripts' );
		$this->assertArrayHasKey( 'holdfast-waiting-room', \Harness::$scripts );
		$this->assertArrayHasKey( 'holdfast-woocommerce', \Harness::$scripts );
		ob_start();
		do_action( 'wp_footer' );
		$html = (string) ob_get_clean();
		$this->assertSame( 1, preg_match( '#<script type="application/json" id="holdfast-config">(.*)</script>#', $html, $m ) );
		$config = json_decode( $m[1], true );
		$this->assertSame( self::CORE, $config['api'] );
		$this->assertSame( self::SALE, $config['sale'] );
		$this->assertSame( array( '21' => 'item-b' ), $config['items'], 'keyed by what the product form posts (variation id)' );
		$this->assertSame( 'woocommerce', $config['platform'] );
		$this->assertSame( 'closed', $config['fail'], 'the store\'s policy: the drop sets none' );
		$this->assertSame( array_keys( Strings::all() ), array_keys( $config['strings'] ) );
	}

	public function test_the_widget_strings_are_the_extensions_keys(): void {
		$locale = json_decode( (string) file_get_contents( dirname( __DIR__, 4 ) . '/extensions/waiting-room/locales/en.default.json' ), true );
		$this->assertSame( $locale['holdfast'], Strings::all() );
	}

	public function test_activation_schedules_and_deactivation_clears_the_refresh(): void {
		Lifecycle::activate();
		$this->assertNotFalse( wp_next_scheduled( Options::REFRESH_EVENT ) );
		Lifecycle::deactivate();
		$this->assertFalse( wp_next_scheduled( Options::REFRESH_EVENT ) );
	}

	public function test_uninstall_removes_options_events_webhooks_and_key_but_not_orders(): void {
		$this->connect_store();
		$this->boot();
		Lifecycle::activate();
		$key = \Holdfast\Admin\ApiKeys::create( 1 );
		$webhook = new \WC_Webhook();
		$webhook->save();
		update_option( Options::CONNECTION, array_merge( Options::connection(), array( 'api_key_id' => $key['id'], 'webhook_ids' => array( $webhook->get_id() ) ) ) );
		update_option( Options::CORE_DOWN, array( 'since' => time() ) );
		do_action( 'rest_api_init' );
		harness_dispatch( self::signed_request( '/holdfast/v1/stock/adjust', array( 'key' => 'u-1', 'adjustments' => array( array( 'ref' => '10', 'from' => 50, 'to' => 49 ) ) ) ) );
		$_REQUEST[ \Holdfast\Gate\CartGate::FIELD ] = self::token();
		harness_classic_add_to_cart( 10, 1 );
		$order = harness_classic_checkout();
		update_option( 'unrelated_option', 1 );

		Uninstaller::run();

		$this->assertSame( array( 'unrelated_option' ), array_keys( \Harness::$options ) );
		$this->assertSame( array(), \Harness::$cron );
		$this->assertSame( array(), \WC_Store::$webhooks );
		$this->assertSame( array(), $GLOBALS['wpdb']->api_keys );
		$this->assertSame( array( $order->get_id() ), array_keys( \WC_Store::$orders ) );
	}

	public function test_old_idempotency_records_are_forgotten_after_a_day(): void {
		add_option( StockController::APPLIED_PREFIX . 'old', array( 'at' => time() - 2 * DAY_IN_SECONDS, 'results' => array() ) );
		add_option( StockController::APPLIED_PREFIX . 'new', array( 'at' => time(), 'results' => array() ) );
		StockController::forget_old();
		$this->assertSame( array( StockController::APPLIED_PREFIX . 'new' ), array_keys( \Harness::$options ) );
	}
}
