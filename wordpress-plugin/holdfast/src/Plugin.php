<?php
/**
 * Builds the plugin's parts once and hooks them in. Nothing runs without WooCommerce: the
 * merchant sees a notice instead of a fatal error.
 *
 * @package Holdfast
 */

namespace Holdfast;

use Holdfast\Admin\Connection;
use Holdfast\Admin\SettingsPage;
use Holdfast\Core\CoreClient;
use Holdfast\Core\CoreError;
use Holdfast\Core\DropCatalog;
use Holdfast\Core\KeySet;
use Holdfast\Gate\CartGate;
use Holdfast\Gate\HoldCheck;
use Holdfast\Orders\OrderSearch;
use Holdfast\Rest\StockController;
use Holdfast\Widget\Widget;

defined( 'ABSPATH' ) || exit;

final class Plugin {
	/** @var Plugin|null */
	private static $instance = null;

	/** @var CoreClient */
	public $core;
	/** @var KeySet */
	public $keys;
	/** @var DropCatalog */
	public $drops;
	/** @var CartGate */
	public $gate;

	private function __construct() {
		$this->core  = new CoreClient();
		$this->keys  = new KeySet( $this->core );
		$this->drops = new DropCatalog( $this->core );
		$this->gate  = new CartGate( $this->drops, new HoldCheck( $this->keys ) );
	}

	public static function boot(): void {
		load_plugin_textdomain( 'holdfast', false, dirname( plugin_basename( HOLDFAST_FILE ) ) . '/languages' );
		if ( ! class_exists( 'WooCommerce' ) ) {
			add_action( 'admin_notices', array( self::class, 'woocommerce_missing' ) );
			return;
		}
		self::instance()->hook();
	}

	public static function instance(): self {
		if ( null === self::$instance ) {
			self::$instance = new self();
		}
		return self::$instance;
	}

	/** Tests build a fresh plugin per case. */
	public static function reset(): void {
		self::$instance = null;
	}

	private function hook(): void {
		$this->gate->register();
		( new StockController() )->register();
		( new Widget( $this->drops ) )->register();
		OrderSearch::register();
		if ( is_admin() ) {
			( new SettingsPage( new Connection( $this->core, $this->keys, $this->drops ), $this->core ) )->register();
		}
		add_action( Options::REFRESH_EVENT, array( $this, 'refresh' ) );
	}

	/** Hourly: keys and drops fresh even on a quiet store; old idempotency records dropped. */
	public function refresh(): void {
		StockController::forget_old();
		if ( ! Options::is_connected() ) {
			return;
		}
		try {
			$this->keys->refresh();
			$this->drops->refresh();
		} catch ( CoreError $error ) {
			CoreClient::log( 'warning', 'Holdfast background refresh failed: ' . $error->reason() );
		}
	}

	public static function woocommerce_missing(): void {
		if ( current_user_can( 'activate_plugins' ) ) {
			echo '<div class="notice notice-error"><p>' . esc_html__( 'Holdfast needs WooCommerce: install and activate WooCommerce first.', 'holdfast' ) . '</p></div>';
		}
	}
}
