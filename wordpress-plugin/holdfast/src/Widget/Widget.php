<?php
/**
 * The waiting room on drop product pages: the same script as the Shopify theme extension
 * (assets/holdfast-waiting-room.js is a byte-for-byte copy, checked by a test), configured by
 * #holdfast-config with strings translated through WordPress, plus a small WooCommerce adapter
 * script that puts the held item in the cart with its hold token.
 *
 * @package Holdfast
 */

namespace Holdfast\Widget;

use Holdfast\Core\DropCatalog;
use Holdfast\Options;

defined( 'ABSPATH' ) || exit;

class Widget {
	/** @var DropCatalog */
	private $drops;
	/** @var array<string, mixed>|null */
	private $config = null;

	public function __construct( DropCatalog $drops ) {
		$this->drops = $drops;
	}

	public function register(): void {
		add_action( 'wp_enqueue_scripts', array( $this, 'enqueue' ) );
		add_action( 'wp_footer', array( $this, 'print_config' ), 5 );
	}

	public function enqueue(): void {
		if ( ! function_exists( 'is_product' ) || ! is_product() || ! Options::is_connected() ) {
			return;
		}
		$config = $this->config_for( (int) get_queried_object_id() );
		if ( null === $config ) {
			return;
		}
		$this->config = $config;
		$base         = plugins_url( 'assets/', HOLDFAST_FILE );
		wp_enqueue_style( 'holdfast-waiting-room', $base . 'holdfast-waiting-room.css', array(), HOLDFAST_VERSION );
		// The adapter first: it must listen before the widget resumes a stored hold on load.
		wp_enqueue_script( 'holdfast-woocommerce', $base . 'holdfast-woocommerce.js', array(), HOLDFAST_VERSION, true );
		wp_enqueue_script( 'holdfast-waiting-room', $base . 'holdfast-waiting-room.js', array( 'holdfast-woocommerce' ), HOLDFAST_VERSION, true );
	}

	/**
	 * The widget's configuration for a product page, or null when the product is in no drop.
	 *
	 * @return array<string, mixed>|null
	 */
	public function config_for( int $product_id ): ?array {
		$drop = $this->drops->drop_of_product( $product_id );
		if ( null === $drop ) {
			return null;
		}
		// The widget reads the ref from the form (variation_id, or add-to-cart for a simple product).
		$items = array();
		foreach ( $drop['items'] as $ref => $item ) {
			$parts = explode( ':', (string) $ref );
			if ( (int) $parts[0] === $product_id ) {
				$items[ end( $parts ) ] = $item;
			}
		}
		return array(
			'api'      => Options::settings()['url'],
			'sale'     => $drop['sale'],
			'items'    => $items,
			// The same policy the gate follows: open lets the shopper buy without the room when Holdfast is down.
			'fail'     => DropCatalog::fail_policy( $drop ),
			'platform' => 'woocommerce',
			'cartUrl'  => function_exists( 'wc_get_cart_url' ) ? wc_get_cart_url() : '',
			'addUrl'   => get_permalink( $product_id ),
			'heading'  => '' !== (string) $drop['name'] ? $drop['name'] : null,
			'strings'  => Strings::all(),
		);
	}

	public function print_config(): void {
		if ( null === $this->config ) {
			return;
		}
		// JSON in a script element: wp_json_encode's HEX flags keep "</script>" and quotes inert.
		echo '<script type="application/json" id="holdfast-config">' . wp_json_encode( $this->config, JSON_HEX_TAG | JSON_HEX_AMP | JSON_HEX_APOS | JSON_HEX_QUOT ) . '</script>' . "\n";
	}
}
