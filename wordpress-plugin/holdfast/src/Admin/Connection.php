<?php
/**
 * The Connect step, in one go: a REST key pair for the core, a fresh webhook secret, the
 * store registered with the core (POST /v1/connector/register, signed with the one-time
 * connect code), the three webhooks created through WooCommerce's own API, the store's
 * token keys saved. A failure leaves the previous connection as it was and says what to do.
 *
 * @package Holdfast
 */

namespace Holdfast\Admin;

use Holdfast\Core\CoreClient;
use Holdfast\Core\CoreError;
use Holdfast\Core\DropCatalog;
use Holdfast\Core\KeySet;
use Holdfast\Options;

defined( 'ABSPATH' ) || exit;

class Connection {
	/** The topics the core listens to (app/api/webhooks/woocommerce.ts). */
	const TOPICS = array( 'order.created', 'order.updated', 'product.updated' );

	/** @var CoreClient */
	private $core;
	/** @var KeySet */
	private $keys;
	/** @var DropCatalog */
	private $drops;

	public function __construct( CoreClient $core, KeySet $keys, DropCatalog $drops ) {
		$this->core  = $core;
		$this->keys  = $keys;
		$this->drops = $drops;
	}

	/**
	 * @param string $code The connect code from the Holdfast console.
	 * @return array{ok: bool, message: string}
	 */
	public function connect( string $code, int $user_id ): array {
		$code = trim( $code );
		if ( ! preg_match( '/^[A-Za-z0-9_.-]{20,2048}$/', $code ) ) {
			return $this->failed( 'invalid_code', __( 'Paste the connect code from your Holdfast service (POST /v1/admin/connector/codes). Codes are valid for 30 minutes.', 'holdfast' ) );
		}
		try {
			$key = ApiKeys::create( $user_id );
		} catch ( \RuntimeException $error ) {
			return $this->failed( 'api_key', __( 'WooCommerce could not create a REST key. Check that WooCommerce is active and its database tables exist.', 'holdfast' ) );
		}
		$webhook_secret = wp_generate_password( 48, false );
		try {
			$answer = $this->core->request(
				'POST',
				'/v1/connector/register',
				array(
					'code'           => $code,
					'siteUrl'        => home_url(),
					'name'           => get_bloginfo( 'name' ),
					'consumerKey'    => $key['consumer_key'],
					'consumerSecret' => $key['consumer_secret'],
					'webhookSecret'  => $webhook_secret,
					'pluginVersion'  => HOLDFAST_VERSION,
				),
				$code,
				''
			);
		} catch ( CoreError $error ) {
			ApiKeys::revoke( $key['id'] );
			return $this->failed( $error->reason(), $this->advice( $error ) );
		}
		if ( empty( $answer['storeId'] ) || empty( $answer['connectorSecret'] ) || empty( $answer['webhookUrl'] ) ) {
			ApiKeys::revoke( $key['id'] );
			return $this->failed( 'invalid_response', __( 'The Holdfast service gave an incomplete answer. Check the Holdfast URL.', 'holdfast' ) );
		}
		$previous = Options::connection();
		$this->remove_webhooks( $previous );
		if ( ! empty( $previous['api_key_id'] ) ) {
			ApiKeys::revoke( (int) $previous['api_key_id'] );
		}
		update_option(
			Options::CONNECTION,
			array(
				'store_id'         => (string) $answer['storeId'],
				'connector_secret' => (string) $answer['connectorSecret'],
				'api_key_id'       => $key['id'],
				'webhook_ids'      => $this->create_webhooks( (string) $answer['webhookUrl'], $webhook_secret, $user_id ),
				'connected_at'     => time(),
				'last_error'       => null,
			),
			false
		);
		$this->keys->store( isset( $answer['keys'] ) && is_array( $answer['keys'] ) ? $answer['keys'] : array() );
		try {
			$this->drops->refresh();
		} catch ( CoreError $error ) {
			CoreClient::log( 'warning', 'Holdfast connected; drops not fetched yet: ' . $error->reason() );
		}
		return array(
			'ok'      => true,
			'message' => __( 'Connected. Webhooks are set up and drop items are gated.', 'holdfast' ),
		);
	}

	/** @return int[] */
	private function create_webhooks( string $url, string $secret, int $user_id ): array {
		$ids = array();
		foreach ( self::TOPICS as $topic ) {
			$webhook = new \WC_Webhook();
			$webhook->set_name( 'Holdfast ' . $topic );
			$webhook->set_user_id( $user_id );
			$webhook->set_topic( $topic );
			$webhook->set_secret( $secret );
			$webhook->set_delivery_url( $url );
			$webhook->set_api_version( 'wp_api_v3' );
			$webhook->set_status( 'active' );
			$ids[] = (int) $webhook->save();
		}
		return $ids;
	}

	/** @param array<string, mixed> $connection */
	private function remove_webhooks( array $connection ): void {
		foreach ( isset( $connection['webhook_ids'] ) && is_array( $connection['webhook_ids'] ) ? $connection['webhook_ids'] : array() as $id ) {
			$webhook = wc_get_webhook( (int) $id );
			if ( $webhook ) {
				$webhook->delete( true );
			}
		}
	}

	private function advice( CoreError $error ): string {
		switch ( $error->reason() ) {
			case 'unreachable':
				return __( 'The Holdfast URL did not answer. Check the address (https://…), and that this server may make outgoing HTTPS requests.', 'holdfast' );
			case 'connect_code_invalid':
			case 'connect_code_expired':
			case 'connect_code_used':
				return __( 'The connect code is expired, used or mistyped. Create a new one and paste it again.', 'holdfast' );
			case 'store_url_unreachable':
				return __( 'Holdfast could not reach this store\'s REST API. Make sure the site is public and the REST API is not blocked.', 'holdfast' );
			default:
				/* translators: %s: the service's message */
				return sprintf( __( 'The Holdfast service refused the connection: %s', 'holdfast' ), $error->getMessage() );
		}
	}

	/** @return array{ok: bool, message: string} */
	private function failed( string $code, string $message ): array {
		$connection               = Options::connection();
		$connection['last_error'] = array(
			'code'    => $code,
			'message' => $message,
			'at'      => time(),
		);
		update_option( Options::CONNECTION, $connection, false );
		CoreClient::log( 'warning', 'Holdfast connect failed: ' . $code );
		return array(
			'ok'      => false,
			'message' => $message,
		);
	}
}
