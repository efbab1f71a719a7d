<?php
/**
 * The add-to-cart and checkout gate, classic and blocks alike. A drop item's cart line carries
 * its hold (`holdfast` cart item data: token, hold id, sale, item, units held), kept in the
 * session and written onto the order line (`_holdfast_hold`, `_holdfast_token`), where the
 * core's order mapping reads it.
 *
 * @package Holdfast
 */

namespace Holdfast\Gate;

use Holdfast\Core\DropCatalog;

defined( 'ABSPATH' ) || exit;

class CartGate {
	/** Cart item data key. */
	const DATA = 'holdfast';
	/** The request field (form post or Store API add-item body) that carries the token. */
	const FIELD = 'holdfast_token';
	/** Order line meta the core reads (app/platforms/woocommerce/webhooks.ts WOO_HOLD_META). */
	const LINE_HOLD_META  = '_holdfast_hold';
	const LINE_TOKEN_META = '_holdfast_token';

	/** @var DropCatalog */
	private $drops;
	/** @var HoldCheck */
	private $check;

	public function __construct( DropCatalog $drops, HoldCheck $check ) {
		$this->drops = $drops;
		$this->check = $check;
	}

	public function register(): void {
		add_filter( 'woocommerce_add_to_cart_validation', array( $this, 'validate_add_to_cart' ), 10, 5 );
		add_filter( 'woocommerce_add_cart_item_data', array( $this, 'add_cart_item_data' ), 10, 4 );
		add_filter( 'woocommerce_get_cart_item_from_session', array( $this, 'restore_from_session' ), 10, 2 );
		add_filter( 'woocommerce_update_cart_validation', array( $this, 'validate_update' ), 10, 4 );
		add_action( 'woocommerce_check_cart_items', array( $this, 'check_cart_items' ) );
		add_action( 'woocommerce_after_checkout_validation', array( $this, 'validate_checkout' ), 10, 2 );
		add_filter( 'woocommerce_store_api_add_to_cart_data', array( $this, 'store_api_add_to_cart_data' ), 10, 2 );
		add_action( 'woocommerce_store_api_validate_add_to_cart', array( $this, 'store_api_validate_add_to_cart' ), 10, 2 );
		add_action( 'woocommerce_store_api_validate_cart_item', array( $this, 'store_api_validate_cart_item' ), 10, 2 );
		add_action( 'woocommerce_store_api_cart_errors', array( $this, 'store_api_cart_errors' ), 10, 2 );
		// Classic and Store API checkouts both build lines through WC_Checkout::create_order_line_items.
		add_action( 'woocommerce_checkout_create_order_line_item', array( $this, 'write_line_meta' ), 10, 4 );
	}

	/**
	 * Classic add to cart (product page, ?add-to-cart=, AJAX add to cart).
	 *
	 * @param bool  $passed       Earlier validators' verdict.
	 * @param int   $product_id   Product.
	 * @param int   $quantity     Units being added.
	 * @param int   $variation_id Variation, 0 for a simple product.
	 * @param array $variations   Chosen attributes (unused).
	 */
	public function validate_add_to_cart( $passed, $product_id, $quantity, $variation_id = 0, $variations = array() ): bool {
		if ( ! $passed ) {
			return false;
		}
		$verdict = $this->verdict_for_add( (int) $product_id, (int) $variation_id, (int) $quantity, $this->posted_token() );
		if ( null === $verdict || $verdict->allowed ) {
			return true;
		}
		wc_add_notice( $verdict->message, 'error', array( 'holdfast' => $verdict->code ) );
		return false;
	}

	/**
	 * Binds the hold to the new cart line (classic and Store API: both apply this filter).
	 *
	 * @param array $data         Cart item data so far.
	 * @param int   $product_id   Product.
	 * @param int   $variation_id Variation.
	 * @param int   $quantity     Units being added.
	 * @return array
	 */
	public function add_cart_item_data( $data, $product_id, $variation_id = 0, $quantity = 1 ): array {
		$data  = is_array( $data ) ? $data : array();
		$token = isset( $data[ self::FIELD ] ) && is_string( $data[ self::FIELD ] ) ? $data[ self::FIELD ] : $this->posted_token();
		unset( $data[ self::FIELD ] );
		$drop = $this->drops->item_for( (int) $product_id, (int) $variation_id );
		if ( null === $drop || '' === $token ) {
			return $data;
		}
		// Bound even when the check fails: the Store API applies this filter before its validate
		// action (CartController::add_to_cart), which then reads the token from here and refuses.
		// The classic path validates first, so a refused token never reaches this point there.
		$verdict            = $this->check->check( $token, $drop, (int) $quantity, 0 );
		$data[ self::DATA ] = array(
			'token' => $token,
			'hold'  => $verdict->hold ? $verdict->hold->hold_id() : '',
			'sale'  => $drop['sale'],
			'item'  => $drop['item'],
			'held'  => $verdict->allowed ? $verdict->held : 0,
		);
		return $data;
	}

	/**
	 * @param array $cart_item Line rebuilt from the session.
	 * @param array $values    What the session stored.
	 * @return array
	 */
	public function restore_from_session( $cart_item, $values ): array {
		if ( isset( $values[ self::DATA ] ) && is_array( $values[ self::DATA ] ) ) {
			$cart_item[ self::DATA ] = $values[ self::DATA ];
		}
		return $cart_item;
	}

	/**
	 * Classic cart page quantity change.
	 *
	 * @param bool   $passed        Earlier validators' verdict.
	 * @param string $cart_item_key Line key.
	 * @param array  $values        The line.
	 * @param int    $quantity      New quantity.
	 */
	public function validate_update( $passed, $cart_item_key, $values, $quantity ): bool {
		if ( ! $passed ) {
			return false;
		}
		$verdict = $this->verdict_for_line( $values, (int) $quantity );
		if ( null === $verdict || $verdict->allowed ) {
			return true;
		}
		wc_add_notice( $verdict->message, 'error', array( 'holdfast' => $verdict->code ) );
		return false;
	}

	/** Classic cart and checkout (WC_Checkout::check_cart_items fires this on every checkout). */
	public function check_cart_items(): void {
		foreach ( $this->refusals( WC()->cart ) as $verdict ) {
			wc_add_notice( $verdict->message, 'error', array( 'holdfast' => $verdict->code ) );
		}
	}

	/**
	 * @param array     $data   Posted checkout data.
	 * @param \WP_Error $errors Checkout errors.
	 */
	public function validate_checkout( $data, $errors ): void {
		// check_cart_items already added notices; this keeps a classic checkout from going through if a theme removed that hook.
		if ( wc_notice_count( 'error' ) > 0 ) {
			return;
		}
		foreach ( $this->refusals( WC()->cart ) as $verdict ) {
			$errors->add( 'holdfast_' . $verdict->code, $verdict->message );
		}
	}

	/**
	 * Store API: bridges the add-item body's `holdfast_token` into cart item data.
	 *
	 * @param array            $add_to_cart_data {id, quantity, variation, cart_item_data}.
	 * @param \WP_REST_Request $request          The Store API request.
	 * @return array
	 */
	public function store_api_add_to_cart_data( $add_to_cart_data, $request ): array {
		$token = is_object( $request ) && method_exists( $request, 'get_param' ) ? $request->get_param( self::FIELD ) : null;
		if ( is_string( $token ) && '' !== $token ) {
			$add_to_cart_data['cart_item_data']                = isset( $add_to_cart_data['cart_item_data'] ) && is_array( $add_to_cart_data['cart_item_data'] ) ? $add_to_cart_data['cart_item_data'] : array();
			$add_to_cart_data['cart_item_data'][ self::FIELD ] = substr( $token, 0, 4096 );
		}
		return $add_to_cart_data;
	}

	/**
	 * @param \WC_Product $product Product being added.
	 * @param array       $request {id, quantity, variation, cart_item_data}.
	 * @throws \Automattic\WooCommerce\StoreApi\Exceptions\RouteException When the gate refuses.
	 */
	public function store_api_validate_add_to_cart( $product, $request ): void {
		$product_id   = $product->get_parent_id() > 0 ? $product->get_parent_id() : $product->get_id();
		$variation_id = $product->get_parent_id() > 0 ? $product->get_id() : 0;
		// woocommerce_add_cart_item_data has already run (add_cart_item_data moved the token into our data).
		$data    = isset( $request['cart_item_data'] ) && is_array( $request['cart_item_data'] ) ? $request['cart_item_data'] : array();
		$token   = isset( $data[ self::DATA ]['token'] ) && is_string( $data[ self::DATA ]['token'] ) ? $data[ self::DATA ]['token'] : ( isset( $data[ self::FIELD ] ) && is_string( $data[ self::FIELD ] ) ? $data[ self::FIELD ] : '' );
		$verdict = $this->verdict_for_add( $product_id, $variation_id, (int) ( $request['quantity'] ?? 1 ), $token );
		if ( null !== $verdict && ! $verdict->allowed ) {
			self::throw_route_exception( $verdict );
		}
	}

	/**
	 * Store API line validation (update-item, and every cart read).
	 *
	 * @param \WC_Product $product   The line's product.
	 * @param array       $cart_item The line.
	 * @throws \Automattic\WooCommerce\StoreApi\Exceptions\RouteException When the gate refuses.
	 */
	public function store_api_validate_cart_item( $product, $cart_item ): void {
		$verdict = $this->verdict_for_line( $cart_item, (int) ( $cart_item['quantity'] ?? 0 ) );
		if ( null !== $verdict && ! $verdict->allowed ) {
			self::throw_route_exception( $verdict );
		}
	}

	/**
	 * Store API checkout: errors here stop the order.
	 *
	 * @param \WP_Error $errors Cart errors.
	 * @param \WC_Cart  $cart   The cart.
	 */
	public function store_api_cart_errors( $errors, $cart ): void {
		foreach ( $this->refusals( $cart ) as $verdict ) {
			$errors->add( 'holdfast_' . $verdict->code, $verdict->message );
		}
	}

	/**
	 * @param \WC_Order_Item_Product $item          The new order line.
	 * @param string                 $cart_item_key Cart line key.
	 * @param array                  $values        The cart line.
	 * @param \WC_Order              $order         The order.
	 */
	public function write_line_meta( $item, $cart_item_key, $values, $order ): void {
		if ( empty( $values[ self::DATA ]['token'] ) ) {
			return;
		}
		if ( '' !== (string) $values[ self::DATA ]['hold'] ) {
			$item->add_meta_data( self::LINE_HOLD_META, (string) $values[ self::DATA ]['hold'], true );
		}
		$item->add_meta_data( self::LINE_TOKEN_META, (string) $values[ self::DATA ]['token'], true );
	}

	private function verdict_for_add( int $product_id, int $variation_id, int $quantity, string $token ): ?Verdict {
		$drop = $this->drops->item_for( $product_id, $variation_id );
		if ( null === $drop ) {
			return null;
		}
		// Units of this item already in the cart under the same token count against the hold.
		$in_cart = 0;
		$held    = 0;
		$cart    = function_exists( 'WC' ) && WC()->cart ? WC()->cart->get_cart() : array();
		foreach ( $cart as $line ) {
			if ( '' !== $token && isset( $line[ self::DATA ]['token'] ) && $line[ self::DATA ]['token'] === $token && $line[ self::DATA ]['item'] === $drop['item'] ) {
				$in_cart += (int) $line['quantity'];
				$held     = max( $held, (int) $line[ self::DATA ]['held'] );
			}
		}
		return $this->check->check( $token, $drop, $in_cart + $quantity, $held );
	}

	/** @param array $line A cart line. */
	private function verdict_for_line( $line, int $quantity ): ?Verdict {
		$product_id   = (int) ( $line['product_id'] ?? 0 );
		$variation_id = (int) ( $line['variation_id'] ?? 0 );
		$drop         = $this->drops->item_for( $product_id, $variation_id );
		if ( null === $drop ) {
			return null;
		}
		$data = isset( $line[ self::DATA ] ) && is_array( $line[ self::DATA ] ) ? $line[ self::DATA ] : array();
		return $this->check->check( (string) ( $data['token'] ?? '' ), $drop, $quantity, (int) ( $data['held'] ?? 0 ) );
	}

	/**
	 * @param \WC_Cart|null $cart The cart.
	 * @return Verdict[] One per refused line.
	 */
	private function refusals( $cart ): array {
		$refused = array();
		if ( ! $cart ) {
			return $refused;
		}
		foreach ( $cart->get_cart() as $line ) {
			$verdict = $this->verdict_for_line( $line, (int) $line['quantity'] );
			if ( null !== $verdict && ! $verdict->allowed ) {
				$refused[ $verdict->code . ':' . $verdict->message ] = $verdict;
			}
		}
		return array_values( $refused );
	}

	/** Token from a classic add-to-cart form post or link; the widget's form posts it. */
	private function posted_token(): string {
		// phpcs:ignore WordPress.Security.NonceVerification -- the token is its own proof; add to cart carries no nonce in WooCommerce either.
		$raw = isset( $_REQUEST[ self::FIELD ] ) ? wp_unslash( $_REQUEST[ self::FIELD ] ) : '';
		return is_string( $raw ) ? substr( sanitize_text_field( $raw ), 0, 4096 ) : '';
	}

	private static function throw_route_exception( Verdict $verdict ): void {
		throw new \Automattic\WooCommerce\StoreApi\Exceptions\RouteException( 'holdfast_' . $verdict->code, $verdict->message, 400 );
	}
}
