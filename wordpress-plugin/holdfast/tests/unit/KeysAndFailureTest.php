<?php
/**
 * Key rotation and the fail policy: an unknown kid fetches the key set once; when the core
 * cannot be reached, the merchant's policy decides, the outage is logged and noticed.
 *
 * @package Holdfast\Tests
 */

namespace Holdfast\Tests;

use Holdfast\Admin\SettingsPage;
use Holdfast\Crypto\Base64Url;
use Holdfast\Gate\CartGate;
use Holdfast\Options;

final class KeysAndFailureTest extends TestCase {
	public function test_a_token_signed_with_a_rotated_key_is_accepted_after_one_refetch(): void {
		$this->connect_store();
		$this->boot();
		update_option( Options::KEYS, array( 'keys' => array( self::KID => Base64Url::encode( self::SECRET ) ), 'fetched_at' => time() - 120 ) );
		$this->core_answers['GET /v1/connector/keys'] = array(
			'keys' => array(
				array( 'kid' => 'k2', 'k' => Base64Url::encode( 'rotated-secret-0123456789abcdefgh' ) ),
				array( 'kid' => self::KID, 'k' => Base64Url::encode( self::SECRET ) ),
			),
		);
		$_REQUEST[ CartGate::FIELD ] = self::token( array(), 'k2', 'rotated-secret-0123456789abcdefgh' );
		$this->assertNotFalse( harness_classic_add_to_cart( 10, 1 ), implode( ',', self::error_codes() ) );
		// The old key still verifies: a rotation does not void holds already handed out.
		$_REQUEST[ CartGate::FIELD ] = self::token( array( 'h' => 'old' ) );
		$this->assertNotFalse( harness_classic_add_to_cart( 10, 1 ) );
		$fetches = array_filter( \Harness::$requests, static function ( $r ) { return false !== strpos( $r['url'], '/v1/connector/keys' ); } );
		$this->assertCount( 2, $fetches, 'one fetch at connect, one for the new kid' );
	}

	public function test_unknown_kids_do_not_hammer_the_core(): void {
		$this->connect_store();
		$this->boot();
		$key_fetches = static function (): int {
			return count( array_filter( \Harness::$requests, static function ( $r ) { return false !== strpos( $r['url'], '/v1/connector/keys' ); } ) );
		};
		$before = $key_fetches();
		for ( $i = 0; $i < 5; $i++ ) {
			$_REQUEST[ CartGate::FIELD ] = self::token( array(), 'nope', 'whatever-secret-0123456789abcdef' );
			$this->assertFalse( harness_classic_add_to_cart( 10, 1 ) );
		}
		$this->assertSame( $before, $key_fetches(), 'keys fetched less than a minute ago are not fetched again' );
	}

	/** @return array<string, array{0: string, 1: bool}> */
	public function policies(): array {
		return array(
			'fail closed refuses' => array( Options::FAIL_CLOSED, false ),
			'fail open lets through' => array( Options::FAIL_OPEN, true ),
		);
	}

	/**
	 * @dataProvider policies
	 */
	public function test_when_the_core_is_down_the_fail_policy_decides_and_the_merchant_is_told( string $policy, bool $added ): void {
		$this->connect_store( $policy );
		$this->boot();
		update_option( Options::KEYS, array( 'keys' => array( self::KID => Base64Url::encode( self::SECRET ) ), 'fetched_at' => time() - 120 ) );
		$this->core_down = true;
		$_REQUEST[ CartGate::FIELD ] = self::token( array(), 'k-new', 'rotated-secret-0123456789abcdefgh' );
		$this->assertSame( $added, false !== harness_classic_add_to_cart( 10, 1 ) );
		if ( ! $added ) {
			$this->assertSame( array( 'holdfast_unavailable' ), self::error_codes() );
		}
		$this->assertNotFalse( get_option( Options::CORE_DOWN ) );
		$this->assertContains( 'error', array_column( \WC_Store::$logs, 0 ) );
		// The request never waited longer than the client's short timeout.
		$last = end( \Harness::$requests );
		$this->assertLessThanOrEqual( 3, $last['args']['timeout'] );
		ob_start();
		( new SettingsPage( new \Holdfast\Admin\Connection( \Holdfast\Plugin::instance()->core, \Holdfast\Plugin::instance()->keys, \Holdfast\Plugin::instance()->drops ), \Holdfast\Plugin::instance()->core ) )->notices();
		$notice = (string) ob_get_clean();
		$this->assertStringContainsString( 'Holdfast has not been reachable', $notice );
		$this->assertStringContainsString( Options::FAIL_OPEN === $policy ? 'fail open' : 'fail closed', $notice );
	}

	public function test_the_drops_own_policy_wins_over_the_stores(): void {
		$this->core_answers['GET /v1/connector/drops']['drops'][0]['failPolicy'] = 'open';
		$this->connect_store( Options::FAIL_CLOSED );
		$this->boot();
		update_option( Options::KEYS, array( 'keys' => array( self::KID => Base64Url::encode( self::SECRET ) ), 'fetched_at' => time() - 120 ) );
		$this->core_down = true;
		$_REQUEST[ CartGate::FIELD ] = self::token( array(), 'k-new', 'rotated-secret-0123456789abcdefgh' );
		$this->assertNotFalse( harness_classic_add_to_cart( 10, 1 ), 'open for this drop although the store says closed' );
	}

	public function test_auto_is_closed_while_the_drop_runs_and_open_before_it(): void {
		$this->assertSame( Options::FAIL_CLOSED, \Holdfast\Core\DropCatalog::fail_policy( array( 'fail_policy' => 'auto', 'state' => 'live' ) ) );
		$this->assertSame( Options::FAIL_OPEN, \Holdfast\Core\DropCatalog::fail_policy( array( 'fail_policy' => 'auto', 'state' => 'scheduled' ) ) );
		update_option( Options::SETTINGS, array( 'url' => self::CORE, 'fail_policy' => 'open' ) );
		$this->assertSame( Options::FAIL_OPEN, \Holdfast\Core\DropCatalog::fail_policy( array( 'state' => 'live' ) ), 'no drop setting: the store\'s' );
	}

	public function test_a_known_drop_stays_gated_through_an_outage(): void {
		$this->connect_store();
		$this->boot();
		update_option( Options::DROPS, array_merge( get_option( Options::DROPS ), array( 'fetched_at' => time() - 3600 ) ) );
		\Holdfast\Plugin::reset();
		\Harness::$hooks = array();
		$this->boot();
		$this->core_down = true;
		$this->assertFalse( harness_classic_add_to_cart( 10, 1 ) );
		$this->assertSame( array( 'hold_required' ), self::error_codes() );
	}
}
