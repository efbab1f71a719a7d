<?php
/**
 * POST /holdfast/v1/stock/adjust: deltas, not absolute writes; signed; idempotent.
 *
 * @package Holdfast\Tests
 */

namespace Holdfast\Tests;

final class StockAdjustTest extends TestCase {
	const ROUTE = '/holdfast/v1/stock/adjust';

	protected function setUp(): void {
		parent::setUp();
		$this->connect_store();
		$this->boot();
		do_action( 'rest_api_init' );
	}

	public function test_a_sale_woocommerce_made_after_the_core_read_the_stock_is_kept(): void {
		// The core last saw 50 and wants 47 (3 units it sold); meanwhile WooCommerce sold 2.
		wc_update_product_stock( wc_get_product( 10 ), 2, 'decrease' );
		$answer = harness_dispatch( self::signed_request( self::ROUTE, array( 'key' => 'w-1', 'adjustments' => array( array( 'ref' => '10', 'from' => 50, 'to' => 47 ) ) ) ) );
		$this->assertSame( 200, $answer->get_status() );
		$this->assertSame( 45, \WC_Product::$stock[10], 'an absolute write would have set 47 and lost the 2 units WooCommerce sold' );
		$this->assertSame( array( array( 'ref' => '10', 'stock' => 45, 'applied' => -3 ) ), $answer->get_data()['results'] );
	}

	public function test_a_retried_request_is_not_applied_twice(): void {
		$body = array( 'key' => 'w-2', 'adjustments' => array( array( 'ref' => '20:21', 'from' => 30, 'to' => 25 ) ) );
		harness_dispatch( self::signed_request( self::ROUTE, $body ) );
		$again = harness_dispatch( self::signed_request( self::ROUTE, $body ) );
		$this->assertSame( 25, \WC_Product::$stock[21] );
		$this->assertTrue( $again->get_data()['duplicate'] );
		$this->assertSame( 25, $again->get_data()['results'][0]['stock'] );
	}

	public function test_stock_never_goes_negative_and_the_answer_says_so(): void {
		wc_update_product_stock( wc_get_product( 30 ), 4, 'decrease' ); // 1 left
		$answer = harness_dispatch( self::signed_request( self::ROUTE, array( 'key' => 'w-3', 'adjustments' => array( array( 'ref' => '30', 'from' => 5, 'to' => 2 ) ) ) ) );
		$this->assertSame( 0, \WC_Product::$stock[30] );
		$this->assertTrue( $answer->get_data()['results'][0]['clamped'] );
	}

	public function test_unsigned_forged_and_stale_requests_change_nothing(): void {
		$body     = array( 'key' => 'w-4', 'adjustments' => array( array( 'ref' => '10', 'from' => 50, 'to' => 0 ) ) );
		$unsigned = new \WP_REST_Request( 'POST', self::ROUTE );
		$unsigned->set_body( json_encode( $body ) );
		$cases = array(
			'holdfast_signature_malformed' => $unsigned,
			'holdfast_signature_invalid'   => self::signed_request( self::ROUTE, $body, 'wrong-secret-wrong-secret-wrong-s' ),
			'holdfast_signature_expired'   => self::signed_request( self::ROUTE, $body, self::CONNECTOR, time() - 600 ),
		);
		foreach ( $cases as $code => $request ) {
			$answer = harness_dispatch( $request );
			$this->assertInstanceOf( \WP_Error::class, $answer );
			$this->assertSame( $code, $answer->get_error_code() );
			$this->assertSame( 401, $answer->get_error_data()['status'] );
		}
		// A body changed after signing.
		$tampered = self::signed_request( self::ROUTE, $body );
		$tampered->set_body( json_encode( array( 'key' => 'w-4', 'adjustments' => array( array( 'ref' => '10', 'from' => 50, 'to' => 49 ) ) ) ) );
		$this->assertSame( 'holdfast_signature_invalid', harness_dispatch( $tampered )->get_error_code() );
		$this->assertSame( 50, \WC_Product::$stock[10] );
	}

	public function test_malformed_adjustments_get_a_400_and_change_nothing(): void {
		foreach ( array(
			array( 'adjustments' => array() ),
			array( 'key' => 'k', 'adjustments' => array( array( 'ref' => 'abc', 'from' => 1, 'to' => 0 ) ) ),
			array( 'key' => 'k', 'adjustments' => array( array( 'ref' => '10', 'from' => 1, 'to' => -1 ) ) ),
			array( 'key' => 'k', 'adjustments' => array( array( 'ref' => '10', 'from' => '1', 'to' => 0 ) ) ),
			array( 'key' => 'k', 'adjustments' => array_fill( 0, 101, array( 'ref' => '10', 'from' => 1, 'to' => 0 ) ) ),
		) as $body ) {
			$answer = harness_dispatch( self::signed_request( self::ROUTE, $body ) );
			$this->assertSame( 'holdfast_invalid_adjustment', $answer->get_error_code() );
			$this->assertSame( 400, $answer->get_error_data()['status'] );
		}
		$this->assertSame( 50, \WC_Product::$stock[10] );
	}

	public function test_status_answers_without_a_secret(): void {
		$answer = harness_dispatch( new \WP_REST_Request( 'GET', '/holdfast/v1/status' ) );
		$this->assertSame( array( 'plugin' => '0.1.0', 'connected' => true ), $answer->get_data() );
	}
}
