<?php
/**
 * The store's hold-token keys (kid => secret), fetched from the core and cached in an option.
 * An unknown kid triggers one refetch (at most once a minute): after a rotation the first
 * token signed with the new key brings the new key set in, and older kids keep verifying as
 * long as the core lists them.
 *
 * @package Holdfast
 */

namespace Holdfast\Core;

use Holdfast\Crypto\Base64Url;
use Holdfast\Options;

defined( 'ABSPATH' ) || exit;

class KeySet {
	const REFETCH_AFTER_SECONDS = 60;

	/** @var CoreClient */
	private $core;
	/** @var bool */
	private $outage = false;

	public function __construct( CoreClient $core ) {
		$this->core = $core;
	}

	/** Raw secret bytes for $kid, or null (unknown even after a refetch, or the core is down). */
	public function secret( string $kid ): ?string {
		$cached = $this->cached();
		if ( isset( $cached['keys'][ $kid ] ) ) {
			return $cached['keys'][ $kid ];
		}
		if ( time() - (int) ( $cached['fetched_at'] ?? 0 ) < self::REFETCH_AFTER_SECONDS ) {
			return null;
		}
		try {
			$this->refresh();
		} catch ( CoreError $error ) {
			$this->outage = $error->is_outage();
			return null;
		}
		return $this->cached()['keys'][ $kid ] ?? null;
	}

	/** True when the core could not be asked for keys: the unknown kid may be a rotation we have not seen. */
	public function unreachable(): bool {
		return $this->outage || false !== get_option( Options::CORE_DOWN, false );
	}

	/**
	 * GET /v1/connector/keys: {keys: [{kid, k}]} with k base64url.
	 *
	 * @throws CoreError When the core cannot be reached.
	 */
	public function refresh(): void {
		$answer = $this->core->signed( 'GET', '/v1/connector/keys' );
		$this->store( isset( $answer['keys'] ) && is_array( $answer['keys'] ) ? $answer['keys'] : array() );
	}

	/**
	 * @param array<int, mixed> $list The core's key list.
	 */
	public function store( array $list ): void {
		$keys = array();
		foreach ( $list as $entry ) {
			if ( ! is_array( $entry ) || ! isset( $entry['kid'], $entry['k'] ) || ! is_string( $entry['kid'] ) || ! is_string( $entry['k'] ) ) {
				continue;
			}
			$secret = Base64Url::decode( $entry['k'] );
			if ( null !== $secret && '' !== $secret ) {
				$keys[ $entry['kid'] ] = $secret;
			}
		}
		// Stored base64url: options are text, raw key bytes are not.
		update_option(
			Options::KEYS,
			array(
				'keys'       => array_map( array( Base64Url::class, 'encode' ), $keys ),
				'fetched_at' => time(),
			),
			false
		);
	}

	/** @return array{keys: array<string, string>, fetched_at?: int} */
	private function cached(): array {
		$saved = get_option( Options::KEYS, array() );
		$keys  = array();
		if ( is_array( $saved ) && isset( $saved['keys'] ) && is_array( $saved['keys'] ) ) {
			foreach ( $saved['keys'] as $kid => $encoded ) {
				$secret = is_string( $encoded ) ? Base64Url::decode( $encoded ) : null;
				if ( null !== $secret ) {
					$keys[ (string) $kid ] = $secret;
				}
			}
		}
		return array(
			'keys'       => $keys,
			'fetched_at' => is_array( $saved ) ? (int) ( $saved['fetched_at'] ?? 0 ) : 0,
		);
	}
}
