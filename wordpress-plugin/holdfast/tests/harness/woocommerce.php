<?php
/**
 * A WooCommerce stand-in: products with stock, the cart (cart item data, merge by key,
 * session round trip), notices, the classic form handler and checkout, the Store API's cart
 * and checkout hooks, orders and line items with meta, webhooks, the logger and FeaturesUtil.
 * Hook names and arguments follow WooCommerce's source (WC_Form_Handler::add_to_cart_action,
 * WC_Cart::add_to_cart / set_quantity, WC_Cart_Session, WC_Checkout::create_order_line_items,
 * StoreApi CartController / CheckoutTrait); the code is ours.
 *
 * @package Holdfast\Tests
 */

// phpcs:ignoreFile

namespace Automattic\WooCommerce\Utilities {
	final class FeaturesUtil {
		/** @var array<int, array{0: string, 1: string, 2: bool}> */
		public static $declared = array();
		public static function declare_compatibility( $feature, $plugin_file, $positive = true ) {
			self::$declared[] = array( $feature, $plugin_file, $positive );
			return true;
		}
	}
}

namespace Automattic\WooCommerce\StoreApi\Exceptions {
	class RouteException extends \Exception {
		public $error_code;
		public $status;
		public function __construct( $error_code, $message, $http_status_code = 400, $additional_data = array() ) {
			$this->error_code = $error_code;
			$this->status     = $http_status_code;
			parent::__construct( $message, $http_status_code );
		}
		public function getErrorCode() { return $this->error_code; }
	}
}

namespace {
	final class WooCommerce {}

	final class WC_Store {
		/** @var array<int, WC_Product> */
		public static $products = array();
		/** @var array<int, WC_Order> */
		public static $orders = array();
		/** @var array<int, WC_Webhook> */
		public static $webhooks = array();
		/** @var array<int, array{0: string, 1: string, 2: array}> */
		public static $notices = array();
		/** @var array<string, mixed> What the session handler keeps between requests. */
		public static $session = array();
		/** @var WC_Cart|null */
		public static $cart = null;
		/** @var array<int, array{0: string, 1: string}> */
		public static $logs = array();

		public static function reset(): void {
			self::$products = self::$orders = self::$webhooks = self::$notices = self::$session = self::$logs = array();
			self::$cart = new WC_Cart();
			\Automattic\WooCommerce\Utilities\FeaturesUtil::$declared = array();
		}

		/** A new request: the cart is rebuilt from the session, as WC_Cart_Session::get_cart_from_session does. */
		public static function new_request(): void {
			self::$cart = new WC_Cart();
			self::$cart->load_from_session();
			self::$notices = array();
		}
	}

	function WC() {
		return (object) array( 'cart' => WC_Store::$cart );
	}

	class WC_Product {
		private $id;
		private $parent_id;
		private $manage_stock;
		public function __construct( int $id, ?int $stock, int $parent_id = 0 ) {
			$this->id           = $id;
			$this->parent_id    = $parent_id;
			$this->manage_stock = null !== $stock;
			if ( null !== $stock ) {
				WC_Store::$products[ $id ] = $this;
				self::$stock[ $id ]        = $stock;
			} else {
				WC_Store::$products[ $id ] = $this;
			}
		}
		/** @var array<int, int> The "database" column, shared by every object of one product. */
		public static $stock = array();
		public function get_id() { return $this->id; }
		public function get_parent_id() { return $this->parent_id; }
		public function managing_stock() { return $this->manage_stock; }
		public function get_stock_quantity() { return $this->manage_stock ? self::$stock[ $this->id ] : null; }
	}
	function wc_get_product( $id ) {
		return WC_Store::$products[ (int) $id ] ?? false;
	}
	/** Relative, as WooCommerce's data store does it (one UPDATE ... SET stock = stock -/+ n). */
	function wc_update_product_stock( $product, $stock_quantity = null, $operation = 'set' ) {
		$id = $product->get_id();
		if ( 'increase' === $operation ) {
			WC_Product::$stock[ $id ] += $stock_quantity;
		} elseif ( 'decrease' === $operation ) {
			WC_Product::$stock[ $id ] -= $stock_quantity;
		} else {
			WC_Product::$stock[ $id ] = $stock_quantity;
		}
		return WC_Product::$stock[ $id ];
	}

	function wc_add_notice( $message, $type = 'success', $data = array() ) {
		WC_Store::$notices[] = array( $type, $message, $data );
	}
	function wc_notice_count( $type = '' ) {
		return count( array_filter( WC_Store::$notices, static function ( $n ) use ( $type ) { return '' === $type || $n[0] === $type; } ) );
	}
	function wc_clear_notices() {
		WC_Store::$notices = array();
	}

	final class Harness_Logger {
		public function log( $level, $message, $context = array() ) {
			WC_Store::$logs[] = array( $level, $message );
		}
	}
	function wc_get_logger() {
		return new Harness_Logger();
	}
	function wc_rand_hash() {
		return bin2hex( random_bytes( 20 ) );
	}
	function wc_api_hash( $data ) {
		return hash_hmac( 'sha256', $data, 'wc-api' );
	}
	function wc_get_cart_url() {
		return 'https://shop.test/cart/';
	}

	class WC_Cart {
		/** @var array<string, array> */
		private $contents = array();

		public function get_cart() { return $this->contents; }
		public function is_empty() { return array() === $this->contents; }

		/** WC_Cart::add_to_cart: cart item data filtered, lines merged by key. Returns the key or false. */
		public function add_to_cart( $product_id = 0, $quantity = 1, $variation_id = 0, $variation = array(), $cart_item_data = array() ) {
			$cart_item_data = (array) apply_filters( 'woocommerce_add_cart_item_data', $cart_item_data, $product_id, $variation_id, $quantity );
			return $this->insert_line( $product_id, $quantity, $variation_id, $variation, $cart_item_data );
		}

		/** What both add paths end in; the Store API filters cart item data itself before (CartController::add_to_cart). */
		public function insert_line( $product_id, $quantity, $variation_id, $variation, $cart_item_data ) {
			$key            = md5( $product_id . '_' . $variation_id . '_' . serialize( $cart_item_data ) );
			if ( isset( $this->contents[ $key ] ) ) {
				$this->contents[ $key ]['quantity'] += $quantity;
			} else {
				$this->contents[ $key ] = array_merge(
					$cart_item_data,
					array(
						'key'          => $key,
						'product_id'   => $product_id,
						'variation_id' => $variation_id,
						'variation'    => $variation,
						'quantity'     => $quantity,
						'data'         => wc_get_product( $variation_id ?: $product_id ),
					)
				);
			}
			$this->save_to_session();
			return $key;
		}

		public function set_quantity( $key, $quantity ) {
			$this->contents[ $key ]['quantity'] = $quantity;
			$this->save_to_session();
			return true;
		}

		public function empty_cart() {
			$this->contents = array();
			$this->save_to_session();
		}

		/** WC_Cart_Session::get_cart_for_session: everything but the product object. */
		private function save_to_session() {
			$stored = array();
			foreach ( $this->contents as $key => $values ) {
				unset( $values['data'] );
				$stored[ $key ] = $values;
			}
			WC_Store::$session['cart'] = serialize( $stored );
		}

		/** WC_Cart_Session::get_cart_from_session: the stored values with the product object, through the filter. */
		public function load_from_session() {
			$stored = isset( WC_Store::$session['cart'] ) ? unserialize( WC_Store::$session['cart'] ) : array();
			foreach ( $stored as $key => $values ) {
				$session_data           = array_merge( $values, array( 'data' => wc_get_product( $values['variation_id'] ?: $values['product_id'] ) ) );
				$this->contents[ $key ] = apply_filters( 'woocommerce_get_cart_item_from_session', $session_data, $values, $key );
			}
		}
	}

	/** WC_Form_Handler: ?add-to-cart= and the product page form, simple or variable. */
	function harness_classic_add_to_cart( int $product_id, int $quantity, int $variation_id = 0 ) {
		$passed = $variation_id
			? apply_filters( 'woocommerce_add_to_cart_validation', true, $product_id, $quantity, $variation_id, array() )
			: apply_filters( 'woocommerce_add_to_cart_validation', true, $product_id, $quantity );
		return $passed ? WC_Store::$cart->add_to_cart( $product_id, $quantity, $variation_id ) : false;
	}

	/** WC_Form_Handler::update_cart_action: each changed quantity validated, then set. */
	function harness_classic_update_quantity( string $key, int $quantity ): bool {
		$values = WC_Store::$cart->get_cart()[ $key ];
		if ( ! apply_filters( 'woocommerce_update_cart_validation', true, $key, $values, $quantity ) ) {
			return false;
		}
		return WC_Store::$cart->set_quantity( $key, $quantity );
	}

	class WC_Order_Item_Product {
		public $product_id;
		public $variation_id;
		public $quantity;
		/** @var array<string, mixed> */
		public $meta = array();
		public function add_meta_data( $key, $value, $unique = false ) {
			if ( $unique && array_key_exists( $key, $this->meta ) ) {
				return;
			}
			$this->meta[ $key ] = $value;
		}
		public function get_meta( $key ) { return $this->meta[ $key ] ?? ''; }
	}

	class WC_Order {
		public $id;
		public $status = 'pending';
		/** @var WC_Order_Item_Product[] */
		public $items = array();
		public function get_id() { return $this->id; }
		public function get_items() { return $this->items; }
	}

	/** WC_Checkout::create_order_line_items, which classic and Store API checkouts both call. */
	function harness_create_order( WC_Cart $cart ): WC_Order {
		$order     = new WC_Order();
		$order->id = count( WC_Store::$orders ) + 100;
		foreach ( $cart->get_cart() as $key => $values ) {
			$item               = new WC_Order_Item_Product();
			$item->product_id   = $values['product_id'];
			$item->variation_id = $values['variation_id'];
			$item->quantity     = $values['quantity'];
			do_action( 'woocommerce_checkout_create_order_line_item', $item, $key, $values, $order );
			$order->items[] = $item;
		}
		WC_Store::$orders[ $order->id ] = $order;
		return $order;
	}

	/** WC_Checkout::process_checkout: check_cart_items, then after_checkout_validation, then the order. */
	function harness_classic_checkout() {
		wc_clear_notices();
		do_action( 'woocommerce_check_cart_items' );
		$errors = new WP_Error();
		do_action( 'woocommerce_after_checkout_validation', array(), $errors );
		if ( wc_notice_count( 'error' ) > 0 || $errors->has_errors() ) {
			return false;
		}
		return harness_create_order( WC_Store::$cart );
	}

	/**
	 * Store API POST /cart/add-item, in WooCommerce's order: the route's add_to_cart_data filter,
	 * then CartController::add_to_cart: filter_request_data (woocommerce_add_cart_item_data),
	 * then the validate action, then the line (no second filter). Throws RouteException.
	 */
	function harness_store_api_add_item( int $id, int $quantity, array $body = array() ) {
		$request = new WP_REST_Request( 'POST', '/wc/store/v1/cart/add-item' );
		foreach ( $body as $name => $value ) {
			$request->set_param( $name, $value );
		}
		$product   = wc_get_product( $id );
		$parent    = $product->get_parent_id();
		$product_id   = $parent ?: $id;
		$variation_id = $parent ? $id : 0;
		$data      = apply_filters(
			'woocommerce_store_api_add_to_cart_data',
			array( 'id' => $id, 'quantity' => $quantity, 'variation' => array(), 'cart_item_data' => array() ),
			$request
		);
		$data['cart_item_data'] = (array) apply_filters( 'woocommerce_add_cart_item_data', $data['cart_item_data'], $product_id, $variation_id, $data['quantity'] );
		do_action( 'woocommerce_store_api_validate_add_to_cart', $product, $data );
		return WC_Store::$cart->insert_line( $product_id, $quantity, $variation_id, array(), $data['cart_item_data'] );
	}

	/** Store API POST /cart/update-item: quantity set, then the line validated (CartController::validate_cart_item). */
	function harness_store_api_update_item( string $key, int $quantity ) {
		$before = WC_Store::$cart->get_cart()[ $key ]['quantity'];
		WC_Store::$cart->set_quantity( $key, $quantity );
		$line = WC_Store::$cart->get_cart()[ $key ];
		try {
			do_action( 'woocommerce_store_api_validate_cart_item', $line['data'], $line );
		} catch ( \Automattic\WooCommerce\StoreApi\Exceptions\RouteException $e ) {
			WC_Store::$cart->set_quantity( $key, $before );
			throw $e;
		}
	}

	/** Store API POST /checkout: cart errors stop it (409 in WooCommerce), otherwise the order. */
	function harness_store_api_checkout() {
		$errors = new WP_Error();
		do_action( 'woocommerce_store_api_cart_errors', $errors, WC_Store::$cart );
		if ( $errors->has_errors() ) {
			return $errors;
		}
		return harness_create_order( WC_Store::$cart );
	}

	class WC_Webhook {
		private $id = 0;
		public $props = array();
		public function __call( $name, $args ) {
			if ( 0 === strpos( $name, 'set_' ) ) {
				$this->props[ substr( $name, 4 ) ] = $args[0];
				return;
			}
			if ( 0 === strpos( $name, 'get_' ) ) {
				return $this->props[ substr( $name, 4 ) ] ?? null;
			}
			throw new BadMethodCallException( $name );
		}
		public function save() {
			if ( 0 === $this->id ) {
				$this->id = count( WC_Store::$webhooks ) + 1 + (int) max( array_merge( array( 0 ), array_keys( WC_Store::$webhooks ) ) );
			}
			WC_Store::$webhooks[ $this->id ] = $this;
			return $this->id;
		}
		public function get_id() { return $this->id; }
		public function delete( $force = false ) {
			unset( WC_Store::$webhooks[ $this->id ] );
			return true;
		}
	}
	function wc_get_webhook( $id ) {
		return WC_Store::$webhooks[ (int) $id ] ?? null;
	}
}
