<?php
/**
 * The Cart and Checkout blocks, through the Store API's hooks.
 *
 * @package Holdfast\Tests
 */

namespace Holdfast\Tests;

use Automattic\WooCommerce\StoreApi\Exceptions\RouteException;
use Holdfast\Gate\CartGate;

final class StoreApiGateTest extends TestCase {
	protected function setUp(): void {
		parent::setUp();
		$this->connect_store();
		$this->boot();
	}

	public function test_add_item_without_a_hold_throws_a_route_exception(): void {
		try {
			harness_store_api_add_item( 10, 1 );
			$this->fail( 'added without a hold' );
		} catch ( RouteException $e ) {
			$this->assertSame( 'holdfast_hold_required', $e->getErrorCode() );
			$this->assertSame( 400, $e->status );
		}
		$this->assertTrue( \WC_Store::$cart->is_empty() );
	}

	public function test_add_item_with_a_forged_or_expired_hold_is_refused_for_what_it_is(): void {
		$cases = array(
			'holdfast_hold_invalid' => self::token( array(), self::KID, 'forged-secret-forged-secret-forged' ),
			'holdfast_hold_expired' => self::token( array( 'iat' => time() - 900, 'exp' => time() - 5 ) ),
		);
		foreach ( $cases as $code => $token ) {
			try {
				harness_store_api_add_item( 10, 1, array( CartGate::FIELD => $token ) );
				$this->fail( $code . ': added' );
			} catch ( RouteException $e ) {
				$this->assertSame( $code, $e->getErrorCode() );
			}
		}
		$this->assertTrue( \WC_Store::$cart->is_empty() );
	}

	public function test_adding_the_same_held_item_again_cannot_exceed_the_hold(): void {
		$token = self::token();
		harness_store_api_add_item( 10, 2, array( CartGate::FIELD => $token ) );
		try {
			harness_store_api_add_item( 10, 1, array( CartGate::FIELD => $token ) );
			$this->fail( 'added past the hold' );
		} catch ( RouteException $e ) {
			$this->assertSame( 'holdfast_quantity_over_hold', $e->getErrorCode() );
		}
		$this->assertSame( array( 2 ), array_column( \WC_Store::$cart->get_cart(), 'quantity' ) );
	}

	public function test_add_item_with_a_hold_then_checkout_writes_the_hold_on_the_line(): void {
		$token = self::token( array( 'h' => 'hold-blocks' ) );
		$key   = harness_store_api_add_item( 21, 1, array( CartGate::FIELD => $token ) );
		$line  = \WC_Store::$cart->get_cart()[ $key ];
		$this->assertSame( 20, $line['product_id'] );
		$this->assertSame( 'hold-blocks', $line[ CartGate::DATA ]['hold'] );
		$this->assertArrayNotHasKey( CartGate::FIELD, $line, 'the raw request field is not kept in the cart' );
		\WC_Store::new_request();
		$order = harness_store_api_checkout();
		$this->assertInstanceOf( \WC_Order::class, $order );
		$this->assertSame( 'hold-blocks', $order->items[0]->get_meta( CartGate::LINE_HOLD_META ) );
	}

	public function test_update_item_cannot_raise_the_quantity_past_the_hold(): void {
		$key = harness_store_api_add_item( 10, 2, array( CartGate::FIELD => self::token() ) );
		try {
			harness_store_api_update_item( $key, 5 );
			$this->fail( 'quantity raised past the hold' );
		} catch ( RouteException $e ) {
			$this->assertSame( 'holdfast_quantity_over_hold', $e->getErrorCode() );
		}
		$this->assertSame( 2, \WC_Store::$cart->get_cart()[ $key ]['quantity'] );
	}

	public function test_checkout_with_a_forged_hold_in_the_cart_returns_cart_errors(): void {
		\WC_Store::$cart->add_to_cart( 10, 1, 0, array(), array( CartGate::DATA => array( 'token' => self::token( array(), self::KID, 'forged-secret-forged-secret-forged' ), 'hold' => 'h', 'sale' => self::SALE, 'item' => 'item-a', 'held' => 1 ) ) );
		$result = harness_store_api_checkout();
		$this->assertInstanceOf( \WP_Error::class, $result );
		$this->assertSame( array( 'holdfast_hold_invalid' ), $result->get_error_codes() );
		$this->assertSame( array(), \WC_Store::$orders );
	}
}
