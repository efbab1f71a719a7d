<?php
/**
 * The Connect step and the settings page.
 *
 * @package Holdfast\Tests
 */

namespace Holdfast\Tests;

use Holdfast\Admin\SettingsPage;
use Holdfast\Crypto\Base64Url;
use Holdfast\Crypto\RequestSignature;
use Holdfast\Options;
use Holdfast\Plugin;

final class ConnectionTest extends TestCase {
	const CODE = 'connect-code-0123456789abcdefghij';

	/** @var array<string, mixed>|null */
	private $registered = null;

	protected function setUp(): void {
		parent::setUp();
		$this->core_answers['POST /v1/connector/register'] = function ( array $args ) {
			// The core checks the request is signed with the code it issued.
			$ok = null === RequestSignature::check( self::CODE, $args['headers']['x-holdfast-signature'], 'POST', '/v1/connector/register', $args['body'], time() );
			if ( ! $ok ) {
				return harness_response( 401, array( 'error' => array( 'code' => 'connect_code_invalid', 'message' => 'bad signature' ) ) );
			}
			$this->registered = json_decode( $args['body'], true );
			return harness_response(
				200,
				array(
					'storeId'         => self::STORE,
					'connectorSecret' => self::CONNECTOR,
					'webhookUrl'      => self::CORE . '/v1/webhooks/woocommerce/' . self::STORE,
					'keys'            => array( array( 'kid' => self::KID, 'k' => Base64Url::encode( self::SECRET ) ) ),
				)
			);
		};
		update_option( Options::SETTINGS, array( 'url' => self::CORE, 'fail_policy' => 'closed' ) );
		$this->boot();
	}

	private function post_connect( string $code ): \Harness_Exit {
		$_POST = $_REQUEST = array(
			'holdfast'                => array( 'url' => self::CORE . '/', 'fail_policy' => 'open' ),
			'holdfast_code'           => $code,
			'_holdfast_connect_nonce' => wp_create_nonce( SettingsPage::CONNECT_ACTION ),
		);
		try {
			do_action( 'admin_post_' . SettingsPage::CONNECT_ACTION );
		} catch ( \Harness_Exit $exit ) {
			return $exit;
		}
		$this->fail( 'no redirect' );
	}

	public function test_connect_registers_creates_webhooks_and_saves_keys_in_one_go(): void {
		$exit = $this->post_connect( self::CODE );
		$this->assertSame( 'redirect', $exit->kind );
		$this->assertStringContainsString( 'holdfast_result=connected', $exit->detail );
		$this->assertTrue( Options::is_connected() );
		$this->assertSame( 'open', Options::settings()['fail_policy'] );
		$this->assertSame( self::CORE, Options::settings()['url'], 'trailing slash removed' );
		// The REST key the core got is the one WooCommerce stores (hashed), with read/write.
		$keys = $GLOBALS['wpdb']->api_keys;
		$this->assertCount( 1, $keys );
		$key = reset( $keys );
		$this->assertSame( wc_api_hash( $this->registered['consumerKey'] ), $key['consumer_key'] );
		$this->assertSame( $this->registered['consumerSecret'], $key['consumer_secret'] );
		$this->assertSame( 'read_write', $key['permissions'] );
		// Three webhooks, to the core's URL, signed with the secret the core got.
		$topics = array();
		foreach ( \WC_Store::$webhooks as $webhook ) {
			$topics[] = $webhook->get_topic();
			$this->assertSame( self::CORE . '/v1/webhooks/woocommerce/' . self::STORE, $webhook->get_delivery_url() );
			$this->assertSame( $this->registered['webhookSecret'], $webhook->get_secret() );
			$this->assertSame( 'active', $webhook->get_status() );
		}
		sort( $topics );
		$this->assertSame( array( 'order.created', 'order.updated', 'product.updated' ), $topics );
		$this->assertSame( self::SECRET, Plugin::instance()->keys->secret( self::KID ) );
	}

	public function test_reconnecting_replaces_the_key_and_webhooks_instead_of_adding(): void {
		$this->post_connect( self::CODE );
		$this->post_connect( self::CODE );
		$this->assertCount( 1, $GLOBALS['wpdb']->api_keys );
		$this->assertCount( 3, \WC_Store::$webhooks );
	}

	public function test_a_refused_code_leaves_nothing_half_done_and_says_what_to_do(): void {
		$exit = $this->post_connect( 'some-other-code-0123456789abcdefgh' );
		$this->assertStringContainsString( 'holdfast_result=failed', $exit->detail );
		$this->assertFalse( Options::is_connected() );
		$this->assertSame( array(), $GLOBALS['wpdb']->api_keys, 'the REST key made for the attempt is revoked' );
		$this->assertSame( array(), \WC_Store::$webhooks );
		$this->assertSame( 'connect_code_invalid', Options::connection()['last_error']['code'] );
		$this->assertStringContainsString( 'Create a new one', Options::connection()['last_error']['message'] );
	}

	public function test_an_unreachable_core_is_reported_with_advice(): void {
		$this->core_down = true;
		$this->post_connect( self::CODE );
		$this->assertSame( 'unreachable', Options::connection()['last_error']['code'] );
		$this->assertStringContainsString( 'did not answer', Options::connection()['last_error']['message'] );
		$_GET = array( 'holdfast_result' => 'failed' );
		ob_start();
		do_action( 'woocommerce_settings_tabs_' . SettingsPage::TAB );
		$this->assertStringContainsString( 'Not connected.', (string) ob_get_clean() );
	}

	public function test_connect_needs_the_capability_and_the_nonce(): void {
		\Harness::$caps = array();
		$exit = $this->post_connect( self::CODE );
		$this->assertSame( array( 'die', 403 ), array( $exit->kind, $exit->status ) );
		\Harness::$caps = array( 'manage_woocommerce' => true );
		\Harness::$nonce_ok = false;
		$exit = $this->post_connect( self::CODE );
		$this->assertSame( array( 'die', 403 ), array( $exit->kind, $exit->status ) );
		$this->assertNull( $this->registered );
	}

	public function test_the_settings_page_escapes_what_it_shows(): void {
		update_option( Options::SETTINGS, array( 'url' => 'https://core.test/"><script>alert(1)</script>', 'fail_policy' => 'closed' ) );
		ob_start();
		do_action( 'woocommerce_settings_tabs_' . SettingsPage::TAB );
		$html = (string) ob_get_clean();
		$this->assertStringNotContainsString( '<script>alert', $html );
		$this->assertStringContainsString( 'name="holdfast[url]"', $html );
		$this->assertStringContainsString( '_holdfast_connect_nonce', $html );
	}

	public function test_saving_sanitizes_the_url_and_the_policy(): void {
		$_POST = $_REQUEST = array( 'holdfast' => array( 'url' => 'javascript:alert(1)', 'fail_policy' => 'maybe' ), '_wpnonce' => wp_create_nonce( 'woocommerce-settings' ) );
		do_action( 'woocommerce_update_options_' . SettingsPage::TAB );
		$this->assertSame( array( 'url' => '', 'fail_policy' => 'closed' ), Options::settings() );
	}

	public function test_the_console_link_is_fetched_signed_and_only_followed_to_the_holdfast_url(): void {
		$this->post_connect( self::CODE );
		$this->core_answers['POST /v1/connector/console-link'] = function ( array $args ) {
			$this->assertNull( RequestSignature::check( self::CONNECTOR, $args['headers']['x-holdfast-signature'], 'POST', '/v1/connector/console-link', $args['body'], time() ) );
			return harness_response( 200, array( 'url' => self::CORE . '/console/connect?token=abc', 'expiresAt' => time() + 60 ) );
		};
		$_POST = $_REQUEST = array( '_holdfast_console_nonce' => wp_create_nonce( SettingsPage::CONSOLE_ACTION ) );
		try {
			do_action( 'admin_post_' . SettingsPage::CONSOLE_ACTION );
			$this->fail( 'no redirect' );
		} catch ( \Harness_Exit $exit ) {
			$this->assertSame( array( 'redirect', self::CORE . '/console/connect?token=abc' ), array( $exit->kind, $exit->detail ) );
		}
		$this->core_answers['POST /v1/connector/console-link'] = array( 'url' => 'https://evil.test/console' );
		try {
			do_action( 'admin_post_' . SettingsPage::CONSOLE_ACTION );
			$this->fail( 'no answer' );
		} catch ( \Harness_Exit $exit ) {
			$this->assertSame( array( 'die', 502 ), array( $exit->kind, $exit->status ) );
		}
	}
}
