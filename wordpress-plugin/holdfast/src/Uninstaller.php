<?php
/**
 * What uninstall.php does, in a class so it is tested like the rest.
 *
 * @package Holdfast
 */

namespace Holdfast;

defined( 'ABSPATH' ) || exit;

final class Uninstaller {
	public static function run(): void {
		$connection = Options::connection();
		// Our webhooks would keep posting to a core that no longer knows this store.
		if ( ! empty( $connection['webhook_ids'] ) && is_array( $connection['webhook_ids'] ) && function_exists( 'wc_get_webhook' ) ) {
			foreach ( $connection['webhook_ids'] as $id ) {
				$webhook = wc_get_webhook( (int) $id );
				if ( $webhook ) {
					$webhook->delete( true );
				}
			}
		}
		if ( ! empty( $connection['api_key_id'] ) ) {
			Admin\ApiKeys::revoke( (int) $connection['api_key_id'] );
		}
		foreach ( Options::all() as $option ) {
			delete_option( $option );
		}
		// The stock endpoint's idempotency records, one option each.
		global $wpdb;
		$records = $wpdb->get_col( $wpdb->prepare( "SELECT option_name FROM {$wpdb->options} WHERE option_name LIKE %s", $wpdb->esc_like( Rest\StockController::APPLIED_PREFIX ) . '%' ) );
		foreach ( $records as $record ) {
			delete_option( $record );
		}
		delete_transient( Core\DropCatalog::REFRESH_LOCK );
		wp_clear_scheduled_hook( Options::REFRESH_EVENT );
	}
}
