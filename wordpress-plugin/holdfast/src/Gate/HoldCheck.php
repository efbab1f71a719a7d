<?php
/**
 * The gate's one decision: may this cart line of a drop item be bought with this hold token?
 * Offline (HMAC with the store's cached keys); the core is only asked for keys when a token
 * names a kid we do not have, and then the merchant's fail policy decides during an outage.
 *
 * @package Holdfast
 */

namespace Holdfast\Gate;

use Holdfast\Core\KeySet;
use Holdfast\Crypto\HoldToken;
use Holdfast\Crypto\TokenRejected;
use Holdfast\Options;

defined( 'ABSPATH' ) || exit;

class HoldCheck {
	/** @var KeySet */
	private $keys;

	public function __construct( KeySet $keys ) {
		$this->keys = $keys;
	}

	/**
	 * @param string $token    The cart line's hold token ('' when it has none).
	 * @param array  $drop     {sale, item, fail_policy}: the drop item the line is.
	 * @param int    $quantity Units of this item the cart would hold under this token.
	 * @param int    $held     Units bound to this token when it was added (0: not yet added).
	 * @return Verdict
	 */
	public function check( string $token, array $drop, int $quantity, int $held ): Verdict {
		if ( '' === $token ) {
			return Verdict::refuse( 'hold_required', __( 'This item is part of a drop: join the queue on its product page to get a hold first.', 'holdfast' ) );
		}
		$outage = false;
		$keys   = $this->keys;
		try {
			$hold = HoldToken::verify(
				$token,
				static function ( string $kid ) use ( $keys, &$outage ): ?string {
					$secret = $keys->secret( $kid );
					$outage = null === $secret && $keys->unreachable();
					return $secret;
				},
				time()
			);
		} catch ( TokenRejected $rejected ) {
			if ( 'token_unknown_key' === $rejected->reason() && $outage ) {
				return $this->fail_policy( isset( $drop['fail_policy'] ) ? (string) $drop['fail_policy'] : Options::settings()['fail_policy'] );
			}
			if ( 'token_expired' === $rejected->reason() ) {
				return Verdict::refuse( 'hold_expired', __( 'Your hold on this drop item has expired. Remove it from the cart and join the queue again.', 'holdfast' ) );
			}
			return Verdict::refuse( 'hold_invalid', __( 'This drop item has no valid hold. Remove it from the cart and join the queue on its product page.', 'holdfast' ) );
		}
		if ( $hold->sale_id() !== $drop['sale'] ) {
			return Verdict::refuse( 'hold_other_sale', __( 'This hold is for another drop.', 'holdfast' ) );
		}
		$lines = $hold->lines();
		if ( null !== $lines && ! isset( $lines[ $drop['item'] ] ) ) {
			return Verdict::refuse( 'hold_other_item', __( 'This hold is for another item of the drop.', 'holdfast' ) );
		}
		// The token's own lines when it has them; otherwise what was held when the line was added.
		$limit = null !== $lines ? $lines[ $drop['item'] ] : $held;
		if ( $limit > 0 && $quantity > $limit ) {
			/* translators: %d: units held */
			return Verdict::refuse( 'quantity_over_hold', sprintf( _n( 'You hold %d unit of this drop item; the quantity cannot be raised.', 'You hold %d units of this drop item; the quantity cannot be raised.', $limit, 'holdfast' ), $limit ) );
		}
		return Verdict::allow( $hold, null !== $lines ? $limit : ( $held > 0 ? $held : $quantity ) );
	}

	/** @param string $policy The drop's resolved policy (DropCatalog::fail_policy). */
	private function fail_policy( string $policy ): Verdict {
		if ( Options::FAIL_OPEN === $policy ) {
			return Verdict::allow( null, 0 );
		}
		return Verdict::refuse( 'holdfast_unavailable', __( 'Drop items cannot be checked right now. Please try again in a moment.', 'holdfast' ) );
	}
}
