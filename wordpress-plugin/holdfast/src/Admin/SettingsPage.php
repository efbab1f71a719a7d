<?php
/**
 * WooCommerce > Settings > Holdfast: the Holdfast URL, the Connect step, the fail policy and
 * the way into the console. Every action checks `manage_woocommerce` and a nonce; every
 * value is sanitized on the way in and escaped on the way out.
 *
 * @package Holdfast
 */

namespace Holdfast\Admin;

use Holdfast\Core\CoreClient;
use Holdfast\Core\CoreError;
use Holdfast\Options;

defined( 'ABSPATH' ) || exit;

class SettingsPage {
	const TAB            = 'holdfast';
	const CONNECT_ACTION = 'holdfast_connect';
	const CONSOLE_ACTION = 'holdfast_console';

	/** @var Connection */
	private $connection;
	/** @var CoreClient */
	private $core;

	public function __construct( Connection $connection, CoreClient $core ) {
		$this->connection = $connection;
		$this->core       = $core;
	}

	public function register(): void {
		add_filter( 'woocommerce_settings_tabs_array', array( $this, 'add_tab' ), 50 );
		add_action( 'woocommerce_settings_tabs_' . self::TAB, array( $this, 'render' ) );
		add_action( 'woocommerce_update_options_' . self::TAB, array( $this, 'save' ) );
		add_action( 'admin_post_' . self::CONNECT_ACTION, array( $this, 'handle_connect' ) );
		add_action( 'admin_post_' . self::CONSOLE_ACTION, array( $this, 'handle_console' ) );
		add_action( 'admin_notices', array( $this, 'notices' ) );
	}

	/**
	 * @param array<string, string> $tabs WooCommerce's settings tabs.
	 * @return array<string, string>
	 */
	public function add_tab( $tabs ): array {
		$tabs[ self::TAB ] = __( 'Holdfast', 'holdfast' );
		return $tabs;
	}

	public static function url( array $args = array() ): string {
		return add_query_arg( array_merge( array( 'page' => 'wc-settings', 'tab' => self::TAB ), $args ), admin_url( 'admin.php' ) );
	}

	/** Inside WooCommerce's settings form, which carries its own nonce and Save button. */
	public function render(): void {
		if ( ! current_user_can( 'manage_woocommerce' ) ) {
			return;
		}
		$settings   = Options::settings();
		$connection = Options::connection();
		$connected  = Options::is_connected();
		echo '<h2>' . esc_html__( 'Holdfast', 'holdfast' ) . '</h2>';
		echo '<p>' . esc_html__( 'Holdfast runs your drops: a fair waiting room, and a gate that lets only shoppers with a hold add a drop item to the cart and check out.', 'holdfast' ) . '</p>';
		$this->render_status( $connected, $connection );
		echo '<table class="form-table" role="presentation"><tbody>';
		echo '<tr><th scope="row"><label for="holdfast_url">' . esc_html__( 'Holdfast URL', 'holdfast' ) . '</label></th><td>';
		echo '<input type="url" class="regular-text" id="holdfast_url" name="holdfast[url]" value="' . esc_attr( $settings['url'] ) . '" placeholder="https://holdfast.example.com" />';
		echo '<p class="description">' . esc_html__( 'The address of your Holdfast service.', 'holdfast' ) . '</p></td></tr>';
		echo '<tr><th scope="row"><label for="holdfast_code">' . esc_html__( 'Connect code', 'holdfast' ) . '</label></th><td>';
		echo '<input type="password" class="regular-text" id="holdfast_code" name="holdfast_code" value="" autocomplete="off" />';
		echo ' <button type="submit" class="button button-secondary" formaction="' . esc_url( admin_url( 'admin-post.php' ) ) . '" name="action" value="' . esc_attr( self::CONNECT_ACTION ) . '">' . esc_html( $connected ? __( 'Reconnect', 'holdfast' ) : __( 'Connect', 'holdfast' ) ) . '</button>';
		wp_nonce_field( self::CONNECT_ACTION, '_holdfast_connect_nonce', false );
		echo '<p class="description">' . esc_html__( 'Get a connect code from your Holdfast service (its admin API: POST /v1/admin/connector/codes), paste it here and press Connect: Holdfast gets a WooCommerce REST key, the webhooks are created and the store\'s keys are fetched, in one step.', 'holdfast' ) . '</p></td></tr>';
		echo '<tr><th scope="row">' . esc_html__( 'When Holdfast cannot be reached', 'holdfast' ) . '</th><td><fieldset>';
		foreach ( array(
			Options::FAIL_CLOSED => __( 'Fail closed: refuse drop items until Holdfast answers again (no oversell).', 'holdfast' ),
			Options::FAIL_OPEN   => __( 'Fail open: let drop items through; Holdfast checks the orders when it is back.', 'holdfast' ),
		) as $value => $label ) {
			echo '<label><input type="radio" name="holdfast[fail_policy]" value="' . esc_attr( $value ) . '" ' . checked( $settings['fail_policy'], $value, false ) . ' /> ' . esc_html( $label ) . '</label><br />';
		}
		echo '</fieldset></td></tr>';
		if ( $connected ) {
			echo '<tr><th scope="row">' . esc_html__( 'Drops', 'holdfast' ) . '</th><td>';
			wp_nonce_field( self::CONSOLE_ACTION, '_holdfast_console_nonce', false );
			echo '<button type="submit" class="button" formtarget="_blank" formaction="' . esc_url( admin_url( 'admin-post.php' ) ) . '" name="action" value="' . esc_attr( self::CONSOLE_ACTION ) . '">' . esc_html__( 'Open the Holdfast console', 'holdfast' ) . '</button>';
			echo '<p class="description">' . esc_html__( 'Signs you in with a link that works once, for one minute.', 'holdfast' ) . '</p></td></tr>';
		}
		echo '</tbody></table>';
	}

	/** @param array<string, mixed> $connection */
	private function render_status( bool $connected, array $connection ): void {
		// phpcs:ignore WordPress.Security.NonceVerification -- display only.
		$result = isset( $_GET['holdfast_result'] ) ? sanitize_key( wp_unslash( $_GET['holdfast_result'] ) ) : '';
		if ( ! empty( $connection['last_error'] ) && 'failed' === $result ) {
			echo '<div class="notice notice-error inline"><p><strong>' . esc_html__( 'Not connected.', 'holdfast' ) . '</strong> ' . esc_html( (string) $connection['last_error']['message'] ) . '</p></div>';
		} elseif ( $connected ) {
			/* translators: 1: store id, 2: date */
			$text = sprintf( __( 'Connected as store %1$s since %2$s.', 'holdfast' ), (string) $connection['store_id'], wp_date( get_option( 'date_format' ) . ' ' . get_option( 'time_format' ), (int) $connection['connected_at'] ) );
			echo '<div class="notice notice-success inline"><p>' . esc_html( $text ) . '</p></div>';
		} else {
			echo '<div class="notice notice-warning inline"><p>' . esc_html__( 'Not connected yet: enter the Holdfast URL and a connect code, then press Connect.', 'holdfast' ) . '</p></div>';
		}
	}

	/** WooCommerce checked its settings nonce before calling this. */
	public function save(): void {
		if ( ! current_user_can( 'manage_woocommerce' ) ) {
			return;
		}
		check_admin_referer( 'woocommerce-settings' );
		// phpcs:ignore WordPress.Security.ValidatedSanitizedInput -- sanitized by Options::sanitize_settings.
		$input = isset( $_POST['holdfast'] ) ? wp_unslash( $_POST['holdfast'] ) : array();
		update_option( Options::SETTINGS, Options::sanitize_settings( $input ) );
	}

	public function handle_connect(): void {
		if ( ! current_user_can( 'manage_woocommerce' ) ) {
			wp_die( esc_html__( 'You are not allowed to connect this store.', 'holdfast' ), '', array( 'response' => 403 ) );
		}
		check_admin_referer( self::CONNECT_ACTION, '_holdfast_connect_nonce' );
		// phpcs:ignore WordPress.Security.ValidatedSanitizedInput -- sanitized by Options::sanitize_settings.
		$input = isset( $_POST['holdfast'] ) ? wp_unslash( $_POST['holdfast'] ) : array();
		update_option( Options::SETTINGS, Options::sanitize_settings( $input ) );
		$code   = isset( $_POST['holdfast_code'] ) ? sanitize_text_field( wp_unslash( $_POST['holdfast_code'] ) ) : '';
		$result = $this->connection->connect( $code, get_current_user_id() );
		wp_safe_redirect( self::url( array( 'holdfast_result' => $result['ok'] ? 'connected' : 'failed' ) ) );
		exit;
	}

	/** A one-minute, one-use sign-in link from the core; never a long-lived token in a URL. */
	public function handle_console(): void {
		if ( ! current_user_can( 'manage_woocommerce' ) ) {
			wp_die( esc_html__( 'You are not allowed to open the Holdfast console.', 'holdfast' ), '', array( 'response' => 403 ) );
		}
		check_admin_referer( self::CONSOLE_ACTION, '_holdfast_console_nonce' );
		try {
			$answer = $this->core->signed( 'POST', '/v1/connector/console-link', array( 'user' => wp_get_current_user()->user_login ) );
		} catch ( CoreError $error ) {
			wp_die( esc_html__( 'The Holdfast console cannot be opened right now: the service did not answer. Try again in a moment.', 'holdfast' ), '', array( 'response' => 502 ) );
		}
		$url  = isset( $answer['url'] ) ? (string) $answer['url'] : '';
		$base = Options::settings()['url'];
		// Only ever to the Holdfast service the merchant configured.
		if ( '' === $url || 0 !== strpos( $url, $base . '/' ) ) {
			wp_die( esc_html__( 'The Holdfast service gave an unexpected sign-in link.', 'holdfast' ), '', array( 'response' => 502 ) );
		}
		wp_redirect( $url ); // phpcs:ignore WordPress.Security.SafeRedirect -- checked above: the configured Holdfast URL.
		exit;
	}

	public function notices(): void {
		if ( ! current_user_can( 'manage_woocommerce' ) ) {
			return;
		}
		$down = get_option( Options::CORE_DOWN, false );
		if ( is_array( $down ) ) {
			$policy = Options::settings()['fail_policy'];
			$effect = Options::FAIL_OPEN === $policy
				? __( 'Drop items are let through (fail open) until it answers again.', 'holdfast' )
				: __( 'Drop items with a hold Holdfast cannot check are refused (fail closed) until it answers again.', 'holdfast' );
			/* translators: %s: time */
			$text = sprintf( __( 'Holdfast has not been reachable since %s.', 'holdfast' ), wp_date( get_option( 'time_format' ), (int) $down['since'] ) );
			echo '<div class="notice notice-error"><p><strong>' . esc_html( $text ) . '</strong> ' . esc_html( $effect ) . ' <a href="' . esc_url( self::url() ) . '">' . esc_html__( 'Holdfast settings', 'holdfast' ) . '</a> &middot; ' . esc_html__( 'Details in WooCommerce > Status > Logs (source "holdfast").', 'holdfast' ) . '</p></div>';
		}
	}
}
