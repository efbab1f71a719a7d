<?php
/**
 * Every option the plugin keeps, in one place, so uninstall.php removes exactly these.
 *
 * @package Holdfast
 */

namespace Holdfast;

defined( 'ABSPATH' ) || exit;

final class Options {
	/** Merchant settings: core URL and fail policy. */
	const SETTINGS = 'holdfast_settings';
	/** What the Connect step produced: store id, connector secret, webhook ids, API key id, status. */
	const CONNECTION = 'holdfast_connection';
	/** The store's token keys fetched from the core, with when they were fetched. */
	const KEYS = 'holdfast_keys';
	/** The store's drops (sale, items by product ref) fetched from the core. */
	const DROPS = 'holdfast_drops';
	/** Set while the core cannot be reached; drives the admin notice. */
	const CORE_DOWN = 'holdfast_core_down';

	/** Scheduled event that refreshes keys and drops in the background. */
	const REFRESH_EVENT = 'holdfast_refresh';

	const FAIL_OPEN   = 'open';
	const FAIL_CLOSED = 'closed';

	/**
	 * All option names, for uninstall.
	 *
	 * @return string[]
	 */
	public static function all(): array {
		return array( self::SETTINGS, self::CONNECTION, self::KEYS, self::DROPS, self::CORE_DOWN );
	}

	/**
	 * The merchant's settings with defaults filled in.
	 *
	 * @return array{url: string, fail_policy: string}
	 */
	public static function settings(): array {
		$saved = get_option( self::SETTINGS, array() );
		$saved = is_array( $saved ) ? $saved : array();
		return array(
			'url'         => isset( $saved['url'] ) && is_string( $saved['url'] ) ? $saved['url'] : '',
			'fail_policy' => isset( $saved['fail_policy'] ) && self::FAIL_OPEN === $saved['fail_policy'] ? self::FAIL_OPEN : self::FAIL_CLOSED,
		);
	}

	/**
	 * The connection record, or an empty array before Connect.
	 *
	 * @return array<string, mixed>
	 */
	public static function connection(): array {
		$saved = get_option( self::CONNECTION, array() );
		return is_array( $saved ) ? $saved : array();
	}

	public static function is_connected(): bool {
		$connection = self::connection();
		return ! empty( $connection['store_id'] ) && ! empty( $connection['connector_secret'] ) && '' !== self::settings()['url'];
	}

	/**
	 * Sanitizes the settings form (Settings API callback and our own save).
	 *
	 * @param mixed $input Raw form input.
	 * @return array{url: string, fail_policy: string}
	 */
	public static function sanitize_settings( $input ): array {
		$input = is_array( $input ) ? $input : array();
		$url   = isset( $input['url'] ) ? trim( (string) $input['url'] ) : '';
		$url   = '' === $url ? '' : untrailingslashit( esc_url_raw( $url, array( 'https', 'http' ) ) );
		$fail  = isset( $input['fail_policy'] ) && self::FAIL_OPEN === $input['fail_policy'] ? self::FAIL_OPEN : self::FAIL_CLOSED;
		return array(
			'url'         => $url,
			'fail_policy' => $fail,
		);
	}
}
