<?php
/**
 * A shopper's visit on the WooCommerce stand-in with the real plugin, talking to a real
 * Holdfast core over HTTP (curl), for test/wordpress/endToEnd.test.ts:
 * php shop.php <core url> <store id> <connector secret> <product id> <hold token>
 * Prints JSON: what the gate answered at each step, and the order WooCommerce would report.
 *
 * @package Holdfast\Tests
 */

// Command line only: these scripts must never answer a web request on a site that kept tests/.
'cli' === PHP_SAPI || exit( 1 );

require dirname( __DIR__ ) . '/harness/load.php';

use Holdfast\Gate\CartGate;
use Holdfast\Options;
use Holdfast\Plugin;

list( , $core, $store_id, $secret, $product_id, $token ) = $argv;
$product_id = (int) $product_id;

\Harness::reset();
\WC_Store::reset();
\Harness::$http = static function ( string $url, array $args ) {
	$curl    = curl_init( $url );
	$headers = array();
	foreach ( $args['headers'] as $name => $value ) {
		$headers[] = $name . ': ' . $value;
	}
	curl_setopt_array(
		$curl,
		array(
			CURLOPT_CUSTOMREQUEST  => $args['method'],
			CURLOPT_RETURNTRANSFER => true,
			CURLOPT_TIMEOUT        => $args['timeout'],
			CURLOPT_HTTPHEADER     => $headers,
		)
	);
	if ( null !== $args['body'] ) {
		curl_setopt( $curl, CURLOPT_POSTFIELDS, $args['body'] );
	}
	$body = curl_exec( $curl );
	if ( false === $body ) {
		return new \WP_Error( 'http_request_failed', curl_error( $curl ) );
	}
	return harness_response( (int) curl_getinfo( $curl, CURLINFO_RESPONSE_CODE ), $body );
};
update_option( Options::SETTINGS, array( 'url' => $core, 'fail_policy' => 'closed' ) );
update_option( Options::CONNECTION, array( 'store_id' => $store_id, 'connector_secret' => $secret, 'connected_at' => time() ) );
new \WC_Product( $product_id, 100 );
Plugin::boot();
$plugin = Plugin::instance();
$plugin->keys->refresh();
$plugin->drops->refresh();

$codes = static function (): array {
	$found = array();
	foreach ( \WC_Store::$notices as $notice ) {
		$found[] = $notice[2]['holdfast'] ?? 'other';
	}
	\WC_Store::$notices = array();
	return $found;
};
$result = array();

// Without a hold: refused at add to cart, and a line slipped into the cart is refused at checkout.
$result['add_without_hold'] = array( 'added' => false !== harness_classic_add_to_cart( $product_id, 1 ), 'codes' => $codes() );
\WC_Store::$cart->add_to_cart( $product_id, 1 );
$result['checkout_without_hold'] = array( 'order' => false !== harness_classic_checkout(), 'codes' => $codes() );
\WC_Store::$cart->empty_cart();

// With the hold the core signed: added, the quantity cannot be raised, the order carries the hold.
$_REQUEST[ CartGate::FIELD ] = $token;
$key                         = harness_classic_add_to_cart( $product_id, 1 );
$_REQUEST                    = array();
$result['add_with_hold']     = array( 'added' => false !== $key, 'codes' => $codes() );
\WC_Store::new_request();
$result['raise_quantity'] = array( 'raised' => harness_classic_update_quantity( $key, 2 ), 'codes' => $codes() );
$order                    = harness_classic_checkout();
$result['checkout_with_hold'] = array( 'order' => false !== $order, 'codes' => $codes() );
if ( $order ) {
	$lines = array();
	foreach ( $order->get_items() as $item ) {
		$meta = array();
		foreach ( $item->meta as $meta_key => $value ) {
			$meta[] = array( 'key' => $meta_key, 'value' => $value );
		}
		$lines[] = array( 'product_id' => $item->product_id, 'variation_id' => $item->variation_id, 'quantity' => $item->quantity, 'meta_data' => $meta );
	}
	$result['order'] = array( 'id' => $order->get_id(), 'line_items' => $lines );
}
echo json_encode( $result );
