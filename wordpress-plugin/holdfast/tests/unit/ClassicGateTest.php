<?php
/**
 * The classic cart and checkout: add to cart, quantity changes, session, checkout, line meta.
 *
 * @package Holdfast\Tests
 */

namespace Holdfast\Tests;

use Holdfast\Gate\CartGate;

final class ClassicGateTest extends TestCase {
	protected function setUp(): void {
		parent::setUp();
		$this->connect_store();
		$this->boot();
	}

	public function test_a_drop_item_without_a_hold_is_refused_at_add_to_cart(): void {
		$this->assertFalse( harness_classic_add_to_cart( 10, 1 ) );
		$this->assertSame( array( 'hold_required' ), self::error_codes() );
		$this->assertTrue( \WC_Store::$cart->is_empty() );
	}

	public function test_an_item_outside_the_drop_is_not_touched(): void {
		$this->assertNotFalse( harness_classic_add_to_cart( 30, 3 ) );
		$this->assertSame( array(), self::error_codes() );
	}

	public function test_a_shopper_with_a_hold_adds_buys_and_the_order_line_carries_the_hold(): void {
		$token = self::token( array( 'h' => 'hold-42' ) );
		$_REQUEST[ CartGate::FIELD ] = $token;
		$key = harness_classic_add_to_cart( 10, 2 );
		$this->assertNotFalse( $key );
		$line = \WC_Store::$cart->get_cart()[ $key ];
		$this->assertSame( 'hold-42', $line[ CartGate::DATA ]['hold'] );
		$this->assertSame( 2, $line[ CartGate::DATA ]['held'] );

		// The next request rebuilds the cart from the session: the hold must survive it.
		$_REQUEST = array();
		\WC_Store::new_request();
		$order = harness_classic_checkout();
		$this->assertInstanceOf( \WC_Order::class, $order, implode( ', ', self::error_codes() ) );
		$this->assertSame( 'hold-42', $order->items[0]->get_meta( CartGate::LINE_HOLD_META ) );
		$this->assertSame( $token, $order->items[0]->get_meta( CartGate::LINE_TOKEN_META ) );
	}

	public function test_a_variation_in_the_drop_is_gated_by_its_own_ref(): void {
		$this->assertFalse( harness_classic_add_to_cart( 20, 1, 21 ) );
		$_REQUEST[ CartGate::FIELD ] = self::token();
		$this->assertNotFalse( harness_classic_add_to_cart( 20, 1, 21 ) );
	}

	public function test_the_quantity_cannot_be_raised_past_the_hold(): void {
		$_REQUEST[ CartGate::FIELD ] = self::token();
		$key = harness_classic_add_to_cart( 10, 2 );
		$_REQUEST = array();
		\WC_Store::new_request();
		$this->assertFalse( harness_classic_update_quantity( $key, 3 ) );
		$this->assertSame( array( 'quantity_over_hold' ), self::error_codes() );
		$this->assertSame( 2, \WC_Store::$cart->get_cart()[ $key ]['quantity'] );
		// Lowering is fine.
		$this->assertTrue( harness_classic_update_quantity( $key, 1 ) );
	}

	public function test_adding_the_same_item_again_with_the_same_hold_cannot_exceed_it(): void {
		$_REQUEST[ CartGate::FIELD ] = self::token();
		harness_classic_add_to_cart( 10, 2 );
		$this->assertFalse( harness_classic_add_to_cart( 10, 1 ) );
		$this->assertSame( array( 'quantity_over_hold' ), self::error_codes() );
	}

	public function test_token_lines_when_present_bound_the_first_add_too(): void {
		$_REQUEST[ CartGate::FIELD ] = self::token( array( 'ln' => array( array( 'i' => 'item-a', 'q' => 1 ) ) ) );
		$this->assertFalse( harness_classic_add_to_cart( 10, 2 ) );
		$this->assertSame( array( 'quantity_over_hold' ), self::error_codes() );
		$this->assertNotFalse( harness_classic_add_to_cart( 10, 1 ) );
		// A hold for item-a does not buy item-b.
		$this->assertFalse( harness_classic_add_to_cart( 20, 1, 21 ) );
	}

	public function test_forged_expired_and_other_sale_tokens_are_refused(): void {
		$cases = array(
			'hold_invalid'    => self::token( array(), self::KID, 'not-the-store-secret-0123456789ab' ),
			'hold_expired'    => self::token( array( 'iat' => time() - 900, 'exp' => time() - 1 ) ),
			'hold_other_sale' => self::token( array( 's' => 'another-sale' ) ),
		);
		foreach ( $cases as $code => $token ) {
			\WC_Store::$notices = array();
			$_REQUEST[ CartGate::FIELD ] = $token;
			$this->assertFalse( harness_classic_add_to_cart( 10, 1 ), $code );
			$this->assertSame( array( $code ), self::error_codes() );
		}
	}

	public function test_a_cart_whose_hold_lapsed_cannot_be_checked_out(): void {
		// A token that is valid for one more second when added: by checkout it has lapsed.
		$_REQUEST[ CartGate::FIELD ] = self::token( array( 'exp' => time() + 1 ) );
		harness_classic_add_to_cart( 10, 1 );
		$_REQUEST = array();
		// Age the cart: rewrite the stored token's expiry into the past, re-signed as if issued so.
		$expired = self::token( array( 'iat' => time() - 700, 'exp' => time() - 100 ) );
		$stored  = unserialize( \WC_Store::$session['cart'] );
		foreach ( $stored as &$values ) {
			$values[ CartGate::DATA ]['token'] = $expired;
		}
		\WC_Store::$session['cart'] = serialize( $stored );
		\WC_Store::new_request();
		$this->assertFalse( harness_classic_checkout() );
		$this->assertSame( array( 'hold_expired' ), self::error_codes() );
		$this->assertSame( array(), \WC_Store::$orders );
	}

	public function test_a_line_smuggled_into_the_session_without_a_hold_cannot_be_checked_out(): void {
		\WC_Store::$cart->add_to_cart( 10, 1 ); // bypasses the add-to-cart validation, as a buggy extension could
		\WC_Store::new_request();
		$this->assertFalse( harness_classic_checkout() );
		$this->assertSame( array( 'hold_required' ), self::error_codes() );
	}
}
