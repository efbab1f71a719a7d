<?php
/**
 * Which products are drop items right now: the store's drops from the core
 * (GET /v1/connector/drops), cached in an option for a minute. When the core cannot be
 * reached the last known list stays in force, so a drop keeps its gate through an outage.
 *
 * @package Holdfast
 */

namespace Holdfast\Core;

use Holdfast\Options;

defined( 'ABSPATH' ) || exit;

class DropCatalog {
	const FRESH_SECONDS = 60;
	/** While one request refreshes, the others keep the cached list instead of all calling the core. */
	const REFRESH_LOCK = 'holdfast_drops_refreshing';

	/** @var CoreClient */
	private $core;
	/** @var array<string, mixed>|null */
	private $memo = null;

	public function __construct( CoreClient $core ) {
		$this->core = $core;
	}

	/**
	 * The drop a product or variation belongs to, or null when it is not a drop item.
	 *
	 * @return array{sale: string, item: string, ref: string}|null
	 */
	public function item_for( int $product_id, int $variation_id = 0 ): ?array {
		$drops = $this->drops();
		// A variation is its own ref; a variable product managed as a whole is the product's ref.
		$refs = $variation_id > 0 ? array( $product_id . ':' . $variation_id, (string) $product_id ) : array( (string) $product_id );
		foreach ( $drops as $drop ) {
			foreach ( $refs as $ref ) {
				if ( isset( $drop['items'][ $ref ] ) ) {
					return array(
						'sale'        => (string) $drop['sale'],
						'item'        => (string) $drop['items'][ $ref ],
						'ref'         => $ref,
						'fail_policy' => self::fail_policy( $drop ),
					);
				}
			}
		}
		return null;
	}

	/**
	 * The drop's own policy while the core cannot be reached: `auto` is closed while the drop
	 * runs (pre-queue, live, paused) and open before it; none set: the store's setting.
	 *
	 * @param array<string, mixed> $drop A cached drop.
	 */
	public static function fail_policy( array $drop ): string {
		$policy = isset( $drop['fail_policy'] ) ? (string) $drop['fail_policy'] : '';
		if ( 'auto' === $policy ) {
			return in_array( $drop['state'] ?? '', array( 'prequeue', 'live', 'paused' ), true ) ? Options::FAIL_CLOSED : Options::FAIL_OPEN;
		}
		return in_array( $policy, array( Options::FAIL_OPEN, Options::FAIL_CLOSED ), true ) ? $policy : Options::settings()['fail_policy'];
	}

	/**
	 * The drop whose items include this product (any variation), for the widget.
	 *
	 * @return array<string, mixed>|null
	 */
	public function drop_of_product( int $product_id ): ?array {
		foreach ( $this->drops() as $drop ) {
			foreach ( array_keys( $drop['items'] ) as $ref ) {
				if ( (int) strtok( (string) $ref, ':' ) === $product_id ) {
					return $drop;
				}
			}
		}
		return null;
	}

	/** @return array<int, array<string, mixed>> */
	public function drops(): array {
		if ( null !== $this->memo ) {
			return $this->memo['drops'];
		}
		$cached = get_option( Options::DROPS, array() );
		$cached = is_array( $cached ) && isset( $cached['drops'] ) && is_array( $cached['drops'] ) ? $cached : array( 'drops' => array(), 'fetched_at' => 0 );
		if ( time() - (int) $cached['fetched_at'] >= self::FRESH_SECONDS && \Holdfast\Options::is_connected() && ! get_transient( self::REFRESH_LOCK ) ) {
			set_transient( self::REFRESH_LOCK, 1, 10 );
			try {
				$cached = $this->refresh();
			} catch ( CoreError $error ) {
				// Keep the last known drops: an outage must not open the gate.
				CoreClient::log( 'warning', 'Holdfast drops not refreshed: ' . $error->reason() );
			}
			delete_transient( self::REFRESH_LOCK );
		}
		$this->memo = $cached;
		return $cached['drops'];
	}

	/**
	 * @return array{drops: array<int, array<string, mixed>>, fetched_at: int}
	 * @throws CoreError When the core cannot be reached.
	 */
	public function refresh(): array {
		$answer = $this->core->signed( 'GET', '/v1/connector/drops' );
		$drops  = array();
		foreach ( isset( $answer['drops'] ) && is_array( $answer['drops'] ) ? $answer['drops'] : array() as $drop ) {
			if ( ! is_array( $drop ) || ! isset( $drop['sale'], $drop['items'] ) || ! is_string( $drop['sale'] ) || ! is_array( $drop['items'] ) ) {
				continue;
			}
			$items = array();
			foreach ( $drop['items'] as $ref => $item ) {
				if ( preg_match( '/^[1-9]\d*(:[1-9]\d*)?$/', (string) $ref ) && is_string( $item ) ) {
					$items[ (string) $ref ] = $item;
				}
			}
			$drops[] = array(
				'sale'  => $drop['sale'],
				'state' => isset( $drop['state'] ) ? (string) $drop['state'] : '',
				'fail_policy' => isset( $drop['failPolicy'] ) ? (string) $drop['failPolicy'] : '',
				'name'  => isset( $drop['name'] ) ? (string) $drop['name'] : '',
				'items' => $items,
			);
		}
		$cached = array(
			'drops'      => $drops,
			'fetched_at' => time(),
		);
		update_option( Options::DROPS, $cached, false );
		$this->memo = $cached;
		return $cached;
	}
}
